package io.converge.ledger.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Builds snapshot blobs by hand, field by field, following the format in
 * {@link SnapshotCodec}'s Javadoc (big-endian; str and bytes are a u32 length then the
 * bytes; a trailing u32 CRC-32C of everything before it). Lets tests craft blobs that
 * pass the checksum yet break a rule.
 */
final class BlobWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** magic, version, contextId, createdAtNs, firstSequence, entryCount. */
    static BlobWriter header(int version, String contextId, long createdAtNs, long firstSequence, int entryCount) {
        return new BlobWriter().u32(SnapshotCodec.MAGIC).u32(version).str(contextId).i64(createdAtNs)
            .i64(firstSequence).u32(entryCount);
    }

    static BlobWriter header(String contextId, long firstSequence, int entryCount) {
        return header(1, contextId, 42L, firstSequence, entryCount);
    }

    /** One entry with metadata given as {@code k1, v1, k2, v2, ...}. */
    BlobWriter entry(long idHi, long idLo, long appendedAtNs, String key, byte[] payload, String... metadata) {
        i64(idHi).i64(idLo).i64(appendedAtNs).str(key).bytes(payload).u32(metadata.length / 2);
        for (String s : metadata) {
            str(s);
        }
        return this;
    }

    BlobWriter u32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
        return this;
    }

    BlobWriter i64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
        return this;
    }

    BlobWriter str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-prefixed field holding exactly these bytes (for strings: possibly invalid UTF-8). */
    BlobWriter bytes(byte[] b) {
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    BlobWriter raw(byte... b) {
        out.writeBytes(b);
        return this;
    }

    /** The blob with its CRC-32C appended. */
    byte[] withCrc() {
        return appendCrc(out.toByteArray());
    }

    static byte[] appendCrc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    /** A copy of a whole blob with its trailing CRC-32C recomputed (after patching the body). */
    static byte[] recomputeCrc(byte[] blob) {
        return appendCrc(Arrays.copyOf(blob, blob.length - 4));
    }
}
