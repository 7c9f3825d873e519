package io.converge.ledger.core;

import java.util.Map;

/**
 * The content of a snapshot blob that passed every check of {@link SnapshotCodec#decode}:
 * consecutive entries {@code firstSequence()..latestSequence()} of {@code contextId()}.
 * Immutable once decoded; safe to hand from a gRPC thread to the sequencer.
 */
public final class DecodedSnapshot implements SnapshotEntries {
    private final int version;
    private final String contextId;
    private final long createdAtNs;
    private final long firstSequence;
    private final long[] longs;
    private final Object[] refs;
    /** Per entry: its key, metadata block and payload as a record holds them, in bytes. */
    private final int[] bodyBytes;

    DecodedSnapshot(int version, String contextId, long createdAtNs, long firstSequence, long[] longs, Object[] refs,
                    int[] bodyBytes) {
        this.version = version;
        this.contextId = contextId;
        this.createdAtNs = createdAtNs;
        this.firstSequence = firstSequence;
        this.longs = longs;
        this.refs = refs;
        this.bodyBytes = bodyBytes;
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
        return firstSequence + bodyBytes.length - 1;
    }

    @Override
    public long firstSequence() {
        return firstSequence;
    }

    @Override
    public int size() {
        return bodyBytes.length;
    }

    @Override
    public long idHi(int i) {
        return longs[3 * i];
    }

    @Override
    public long idLo(int i) {
        return longs[3 * i + 1];
    }

    @Override
    public long appendedAtNs(int i) {
        return longs[3 * i + 2];
    }

    @Override
    public String key(int i) {
        return (String) refs[3 * i];
    }

    @Override
    public byte[] payload(int i) {
        return (byte[]) refs[3 * i + 1];
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, String> metadata(int i) {
        return (Map<String, String>) refs[3 * i + 2];
    }

    /** The size of entry {@code i}'s record in a context whose id has {@code contextIdBytes} UTF-8 bytes. */
    int recordBytes(int i, int contextIdBytes) {
        return EntryRecord.size(contextIdBytes, bodyBytes[i], 0, 0);
    }
}
