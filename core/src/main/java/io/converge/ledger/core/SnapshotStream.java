package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Encodes a snapshot blob of a {@link ContextView} as it is read, piece by piece, in the
 * very bytes {@link SnapshotCodec#encode} writes for the same entries: the header, then
 * each entry straight from its record in the store (the payload copied from the store into
 * the caller's buffer, the metadata block re-framed big-endian), then the CRC-32C computed
 * along the way. What it holds besides the caller's buffer is one entry's key and metadata.
 *
 * <p>The view is fixed when the stream opens: {@link #latestSequence()}, {@link #entryCount()}
 * and {@link #sizeBytes()} are known before the first byte. Not thread-safe: one reader at
 * a time (calls from different threads need a happens-before edge between them).
 */
public final class SnapshotStream {
    private static final int ENTRY_FIXED_BYTES = 8 + 8 + 8 + 4 + 4;

    private final ContextLog log;
    private final long latest;
    private final long size;
    private final long createdAtNs;
    private final CRC32C crc = new CRC32C();
    /** Header, an entry's head or its metadata, encoded, then drained into the caller's buffer. */
    private ByteBuffer scratch;
    /** What is being drained now: scratch, a payload view of the store, or the CRC. */
    private ByteBuffer pending;
    private long next = 1;
    private Piece piece = Piece.HEAD;
    private long written;
    private boolean crcWritten;

    private enum Piece { HEAD, PAYLOAD, METADATA }

    private SnapshotStream(String contextId, long createdAtNs, ContextView view) {
        this.log = view.log();
        this.latest = view.latestSequence();
        this.createdAtNs = createdAtNs;
        if (latest > 0xFFFF_FFFFL) {
            throw LedgerException.exhausted("context " + contextId + " holds " + latest
                + " entries; a snapshot holds at most 4294967295");
        }
        byte[] id = contextId.getBytes(StandardCharsets.UTF_8);
        long bytes = 8 + 4 + id.length + 8 + 8 + 4 + 4;
        for (long s = 1; s <= latest; s++) {
            ByteBuffer records = log.recordBuffer(s);
            int offset = log.offsetAt(s);
            int metadata = EntryRecord.metadataLength(records, offset);
            bytes += ENTRY_FIXED_BYTES + EntryRecord.keyLength(records, offset)
                + EntryRecord.payloadLength(records, offset) + (metadata == 0 ? 4 : metadata);
        }
        this.size = bytes;
        this.scratch = ByteBuffer.allocate(Math.max(256, 32 + id.length));
        scratch.putInt(SnapshotCodec.MAGIC).putInt(SnapshotCodec.VERSION).putInt(id.length).put(id)
            .putLong(createdAtNs).putLong(1).putInt((int) latest).flip();
        this.pending = scratch;
    }

    /** Opens a stream of every entry of {@code view}, stamped {@code createdAtNs}; reads the records' sizes once. */
    static SnapshotStream of(String contextId, long createdAtNs, ContextView view) {
        return new SnapshotStream(contextId, createdAtNs, view);
    }

    /** The blob's length in bytes, known before it is encoded. */
    public long sizeBytes() {
        return size;
    }

    /** The context's latest sequence captured (0 for an empty context). */
    public long latestSequence() {
        return latest;
    }

    /** The number of entries in the blob. */
    public long entryCount() {
        return latest;
    }

    public long createdAtNs() {
        return createdAtNs;
    }

    public int version() {
        return SnapshotCodec.VERSION;
    }

    /** Bytes handed out so far. */
    public long position() {
        return written;
    }

    /** Whether bytes remain to be read. */
    public boolean hasRemaining() {
        return written < size;
    }

    /**
     * Writes the next bytes of the blob into {@code out}, as many as fit and remain.
     *
     * @return the number of bytes written
     */
    public int read(ByteBuffer out) {
        int start = out.position();
        while (out.hasRemaining() && hasRemaining()) {
            if (!pending.hasRemaining()) {
                advance();
                continue;
            }
            int n = Math.min(out.remaining(), pending.remaining());
            ByteBuffer from = pending.slice(pending.position(), n);
            if (!crcWritten) {
                crc.update(from.duplicate());
            }
            out.put(from);
            pending.position(pending.position() + n);
            written += n;
        }
        return out.position() - start;
    }

    /** The whole (remaining) blob in one array; for a unary Snapshot, whose size the caller checked. */
    public byte[] readAll() {
        long left = size - written;
        if (left > Integer.MAX_VALUE - 8) {
            throw LedgerException.exhausted("a snapshot of " + left + " bytes does not fit one array");
        }
        byte[] blob = new byte[(int) left];
        read(ByteBuffer.wrap(blob));
        return blob;
    }

    /** Makes the next piece pending: an entry's head, payload or metadata, or at the end the CRC. */
    private void advance() {
        if (next > latest) {
            crcWritten = true;
            pending = ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip();
            return;
        }
        ByteBuffer records = log.recordBuffer(next);
        int offset = log.offsetAt(next);
        switch (piece) {
            case HEAD -> {
                int key = EntryRecord.keyLength(records, offset);
                int keyAt = offset + EntryRecord.HEADER_BYTES + EntryRecord.contextIdLength(records, offset);
                ByteBuffer head = scratch(ENTRY_FIXED_BYTES + key);
                head.putLong(EntryRecord.idHi(records, offset)).putLong(EntryRecord.idLo(records, offset))
                    .putLong(EntryRecord.appendedAtNs(records, offset)).putInt(key)
                    .put(head.position(), records, keyAt, key);
                head.position(head.position() + key).putInt(EntryRecord.payloadLength(records, offset)).flip();
                pending = head;
                piece = Piece.PAYLOAD;
            }
            case PAYLOAD -> {
                pending = EntryRecord.payload(records, offset);
                piece = Piece.METADATA;
            }
            case METADATA -> {
                pending = metadata(records, offset);
                piece = Piece.HEAD;
                next++;
            }
        }
    }

    /** The record's metadata block (little-endian lengths) as the blob frames it (big-endian). */
    private ByteBuffer metadata(ByteBuffer records, int offset) {
        int length = EntryRecord.metadataLength(records, offset);
        if (length == 0) {
            return scratch(4).putInt(0).flip();
        }
        int at = offset + EntryRecord.HEADER_BYTES + EntryRecord.contextIdLength(records, offset)
            + EntryRecord.keyLength(records, offset);
        ByteBuffer out = scratch(length);
        int pairs = records.getInt(at); // a segment buffer is little-endian
        out.putInt(pairs);
        at += 4;
        for (int s = 0; s < 2 * pairs; s++) {
            int n = records.getInt(at);
            out.putInt(n).put(out.position(), records, at + 4, n);
            out.position(out.position() + n);
            at += 4 + n;
        }
        return out.flip();
    }

    private ByteBuffer scratch(int bytes) {
        if (scratch.capacity() < bytes) {
            scratch = ByteBuffer.allocate(Math.max(bytes, 2 * scratch.capacity()));
        }
        return scratch.clear();
    }
}
