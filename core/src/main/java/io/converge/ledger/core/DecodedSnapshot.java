package io.converge.ledger.core;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content of a snapshot blob that passed every check of {@link SnapshotCodec#decode}:
 * consecutive entries {@code firstSequence()..latestSequence()} of {@code contextId()}.
 *
 * <p>It holds the blob's bytes (off the heap when they were staged) and one {@code int}
 * per entry, where the entry starts; each accessor decodes its field from the bytes when
 * called, so a Load of millions of entries holds no object per entry. Immutable; safe to
 * hand from a gRPC thread to the sequencer and to read from any thread.
 */
public final class DecodedSnapshot implements SnapshotEntries {
    private static final int KEY = 24;

    private final int version;
    private final String contextId;
    private final long createdAtNs;
    private final long firstSequence;
    private final SnapshotBytes blob;
    private final int[] offsets;

    DecodedSnapshot(int version, String contextId, long createdAtNs, long firstSequence, SnapshotBytes blob,
                    int[] offsets) {
        this.version = version;
        this.contextId = contextId;
        this.createdAtNs = createdAtNs;
        this.firstSequence = firstSequence;
        this.blob = blob;
        this.offsets = offsets;
    }

    /** The blob this was decoded from. */
    SnapshotBytes blob() {
        return blob;
    }

    /** The blob's format version. */
    public int version() {
        return version;
    }

    /** The context the snapshot was taken of. */
    public String contextId() {
        return contextId;
    }

    /** When the snapshot was taken, Unix epoch in nanoseconds. */
    public long createdAtNs() {
        return createdAtNs;
    }

    /** The snapshot's latest sequence: that of its last entry, {@code firstSequence() - 1} when empty. */
    public long latestSequence() {
        return firstSequence + offsets.length - 1;
    }

    @Override
    public long firstSequence() {
        return firstSequence;
    }

    @Override
    public int size() {
        return offsets.length;
    }

    @Override
    public long idHi(int i) {
        return blob.getLong(offsets[i]);
    }

    @Override
    public long idLo(int i) {
        return blob.getLong(offsets[i] + 8L);
    }

    @Override
    public long appendedAtNs(int i) {
        return blob.getLong(offsets[i] + 16L);
    }

    private int keyLength(int i) {
        return blob.getInt(offsets[i] + (long) KEY);
    }

    /** Where entry {@code i}'s payload length lies. */
    private long payloadAt(int i) {
        return offsets[i] + KEY + 4L + keyLength(i);
    }

    /** Where entry {@code i}'s metadata pair count lies. */
    private long metadataAt(int i) {
        long at = payloadAt(i);
        return at + 4 + blob.getInt(at);
    }

    @Override
    public String key(int i) {
        return string(offsets[i] + (long) KEY);
    }

    @Override
    public byte[] payload(int i) {
        long at = payloadAt(i);
        byte[] payload = new byte[blob.getInt(at)];
        blob.get(at + 4, payload, payload.length);
        return payload;
    }

    @Override
    public Map<String, String> metadata(int i) {
        long at = metadataAt(i);
        int pairs = blob.getInt(at);
        if (pairs == 0) {
            return Map.of();
        }
        at += 4;
        // Insertion order: re-encoding a decoded blob gives back the same bytes.
        Map<String, String> metadata = new LinkedHashMap<>(pairs * 2);
        for (int p = 0; p < pairs; p++) {
            String k = string(at);
            at += 4 + blob.getInt(at);
            String v = string(at);
            at += 4 + blob.getInt(at);
            metadata.put(k, v);
        }
        return Collections.unmodifiableMap(metadata);
    }

    private String string(long at) {
        int length = blob.getInt(at);
        if (length == 0) {
            return "";
        }
        byte[] bytes = new byte[length];
        blob.get(at + 4, bytes, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The size of entry {@code i}'s record in a context whose id has {@code contextIdBytes} UTF-8 bytes. */
    int recordBytes(int i, int contextIdBytes) {
        long payloadAt = payloadAt(i);
        int payload = blob.getInt(payloadAt);
        long metadataAt = payloadAt + 4 + payload;
        int pairs = blob.getInt(metadataAt);
        int metadataBlock = 0;
        if (pairs > 0) {
            long end = metadataAt + 4;
            for (int p = 0; p < 2 * pairs; p++) {
                end += 4 + blob.getInt(end);
            }
            metadataBlock = (int) (end - metadataAt); // the blob's pairs have the block's layout and size
        }
        return EntryRecord.size(contextIdBytes, keyLength(i), metadataBlock, payload);
    }
}
