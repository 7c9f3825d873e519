package io.converge.ledger.transport;

import io.converge.ledger.core.SnapshotCodec;
import io.converge.ledger.core.SnapshotEntries;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Snapshot blobs made by hand: runs of entries that do not start at sequence 1, and
 * blobs patched after encoding. Relies only on what the format promises: a big-endian
 * u32 version at byte offset 4 and a trailing big-endian CRC-32C of every byte before it.
 */
final class SnapshotBlobs {
    /** Byte offset of the format version. */
    static final int VERSION_OFFSET = 4;
    static final int CRC_BYTES = 4;

    private SnapshotBlobs() {
    }

    /**
     * A blob of {@code contextId} holding entries {@code firstSequence .. firstSequence + count - 1},
     * with key {@code "k"}, payload {@code "payload <sequence>"} and appended_at increasing.
     */
    static byte[] run(String contextId, long firstSequence, int count) {
        long createdAt = ContractSupport.nowNs();
        return SnapshotCodec.encode(contextId, createdAt, new SnapshotEntries() {
            @Override
            public long firstSequence() {
                return firstSequence;
            }

            @Override
            public int size() {
                return count;
            }

            @Override
            public long idHi(int i) {
                return 0x5EED_0000_0000_0000L;
            }

            @Override
            public long idLo(int i) {
                return firstSequence + i;
            }

            @Override
            public long appendedAtNs(int i) {
                return createdAt - 1_000_000L * (count - i);
            }

            @Override
            public String key(int i) {
                return "k";
            }

            @Override
            public byte[] payload(int i) {
                return ("payload " + (firstSequence + i)).getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public Map<String, String> metadata(int i) {
                return Map.of("seq", Long.toString(firstSequence + i));
            }
        });
    }

    /** The blob with its version set to {@code version} and its checksum made valid again. */
    static byte[] withVersion(byte[] blob, int version) {
        byte[] patched = blob.clone();
        ByteBuffer.wrap(patched).putInt(VERSION_OFFSET, version);
        return withValidCrc(patched);
    }

    /** The blob with its trailing CRC-32C recomputed over every byte before it. */
    static byte[] withValidCrc(byte[] blob) {
        byte[] fixed = blob.clone();
        CRC32C crc = new CRC32C();
        crc.update(fixed, 0, fixed.length - CRC_BYTES);
        ByteBuffer.wrap(fixed).putInt(fixed.length - CRC_BYTES, (int) crc.getValue());
        return fixed;
    }

    /** The first {@code length} bytes of the blob followed by a valid checksum of them. */
    static byte[] truncatedWithValidCrc(byte[] blob, int length) {
        byte[] cut = Arrays.copyOf(blob, length + CRC_BYTES);
        return withValidCrc(cut);
    }

    /** Byte offset of entry {@code index} (0-based) in a well-formed blob. */
    static int entryOffset(byte[] blob, int index) {
        ByteBuffer in = ByteBuffer.wrap(blob);
        int at = 8;
        at += 4 + in.getInt(at) + 8 + 8 + 4;
        for (int i = 0; i < index; i++) {
            at += 24;
            at += 4 + in.getInt(at); // key
            at += 4 + in.getInt(at); // payload
            int pairs = in.getInt(at);
            at += 4;
            for (int p = 0; p < 2 * pairs; p++) {
                at += 4 + in.getInt(at);
            }
        }
        return at;
    }

    /** The blob with entry {@code index}'s appended_at_ns set to {@code value}, its checksum valid. */
    static byte[] withAppendedAt(byte[] blob, int index, long value) {
        byte[] patched = blob.clone();
        ByteBuffer.wrap(patched).putLong(entryOffset(blob, index) + 16, value);
        return withValidCrc(patched);
    }

    /** The blob with entry {@code index}'s id set to {@code uuid}, its checksum valid. */
    static byte[] withId(byte[] blob, int index, String uuid) {
        java.util.UUID id = java.util.UUID.fromString(uuid);
        byte[] patched = blob.clone();
        int at = entryOffset(blob, index);
        ByteBuffer.wrap(patched).putLong(at, id.getMostSignificantBits()).putLong(at + 8, id.getLeastSignificantBits());
        return withValidCrc(patched);
    }
}
