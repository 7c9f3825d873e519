package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a snapshot blob as the loader reads them: one buffer (a unary Load's
 * request), or the parts a {@link Staging} copied chunk by chunk into direct memory (a
 * LoadChunks), read by absolute position across part boundaries. Big-endian. Immutable
 * once made; safe to read from any number of threads, none of which may change the buffers.
 */
public final class SnapshotBytes {
    /** Size of each staged part but the last. */
    static final int PART_BYTES = 1 << 20;
    private static final int PART_SHIFT = 20;

    private final ByteBuffer[] parts;
    private final int shift;
    private final long mask;
    private final long size;

    private SnapshotBytes(ByteBuffer[] parts, int shift, long size) {
        this.parts = parts;
        this.shift = shift;
        this.mask = (1L << shift) - 1;
        this.size = size;
    }

    /** The bytes from {@code whole}'s position to its limit, without a copy; {@code whole} must not change after. */
    public static SnapshotBytes of(ByteBuffer whole) {
        return new SnapshotBytes(new ByteBuffer[] {whole.slice()}, 31, whole.remaining());
    }

    public static SnapshotBytes of(byte[] blob) {
        return of(ByteBuffer.wrap(blob));
    }

    /** A new, empty staging area in direct memory. */
    public static Staging staging() {
        return new Staging();
    }

    /** Number of bytes. */
    public long size() {
        return size;
    }

    byte get(long position) {
        return parts[(int) (position >>> shift)].get((int) (position & mask));
    }

    int getInt(long position) {
        int at = (int) (position & mask);
        ByteBuffer part = parts[(int) (position >>> shift)];
        if (at + 4 <= part.limit()) {
            return part.getInt(at);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (get(position + i) & 0xFF);
        }
        return v;
    }

    long getLong(long position) {
        int at = (int) (position & mask);
        ByteBuffer part = parts[(int) (position >>> shift)];
        if (at + 8 <= part.limit()) {
            return part.getLong(at);
        }
        return ((long) getInt(position) << 32) | (getInt(position + 4) & 0xFFFF_FFFFL);
    }

    /** Copies {@code length} bytes from {@code position} into {@code dst} from index 0. */
    void get(long position, byte[] dst, int length) {
        int done = 0;
        while (done < length) {
            long p = position + done;
            ByteBuffer part = parts[(int) (p >>> shift)];
            int at = (int) (p & mask);
            int n = Math.min(length - done, part.limit() - at);
            part.get(at, dst, done, n);
            done += n;
        }
    }

    /** Feeds bytes {@code [from, to)} to {@code crc}. */
    void update(CRC32C crc, long from, long to) {
        long p = from;
        while (p < to) {
            ByteBuffer part = parts[(int) (p >>> shift)];
            int at = (int) (p & mask);
            int n = (int) Math.min(to - p, part.limit() - at);
            crc.update(part.slice(at, n));
            p += n;
        }
    }

    /**
     * Copies what arrives, chunk by chunk, into 1 MiB parts of direct memory (off the Java
     * heap), then hands them over whole ({@link #finish()}). One writer thread at a time.
     */
    public static final class Staging {
        private final List<ByteBuffer> parts = new ArrayList<>();
        private long size;

        private Staging() {
        }

        /** Bytes staged so far. */
        public long size() {
            return size;
        }

        /**
         * Copies {@code src}'s remaining bytes (consuming them).
         *
         * @throws OutOfMemoryError when direct memory runs out (the caller refuses the call)
         */
        public void append(ByteBuffer src) {
            while (src.hasRemaining()) {
                ByteBuffer last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
                if (last == null || !last.hasRemaining()) {
                    last = ByteBuffer.allocateDirect(PART_BYTES);
                    parts.add(last);
                }
                int n = Math.min(src.remaining(), last.remaining());
                last.put(last.position(), src, src.position(), n);
                last.position(last.position() + n);
                src.position(src.position() + n);
                size += n;
            }
        }

        /** The staged bytes; this staging must not be used after. */
        public SnapshotBytes finish() {
            ByteBuffer[] read = new ByteBuffer[parts.size()];
            for (int i = 0; i < read.length; i++) {
                read[i] = parts.get(i).flip();
            }
            parts.clear();
            return new SnapshotBytes(read, PART_SHIFT, size);
        }
    }
}
