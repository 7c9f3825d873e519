package io.converge.ledger.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a snapshot blob as the loader reads them: one buffer (a unary Load's
 * request), or the parts a {@link Staging} copied chunk by chunk into direct memory or a
 * mapped file (a LoadChunks), read by absolute position across part boundaries. Big-endian. Immutable
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
        return new Staging(null);
    }

    /**
     * A new, empty staging area in a temporary file under {@code directory} (created if
     * need be), mapped for reading when finished and deleted from the directory then (its
     * space comes back when the mapping is collected); for file storage, so that a large
     * Load takes page cache rather than direct memory.
     *
     * @throws LedgerException RESOURCE_EXHAUSTED when the file cannot be created
     */
    public static Staging staging(Path directory) {
        return new Staging(directory);
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
    /** Puts every byte into {@code dst} at its position, which advances; {@code dst} has room for {@link #size()}. */
    void copyTo(ByteBuffer dst) {
        for (ByteBuffer part : parts) {
            dst.put(part.duplicate().clear().limit(part.limit()));
        }
    }

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
     * heap) or into a temporary file, then hands them over whole ({@link #finish()}), or
     * drops them ({@link #discard()}). One thread at a time.
     */
    public static final class Staging {
        private static final int FILE_PART_SHIFT = 30;

        private final List<ByteBuffer> parts = new ArrayList<>();
        private final Path path;
        private final FileChannel file;
        private long size;

        private Staging(Path directory) {
            if (directory == null) {
                this.path = null;
                this.file = null;
                return;
            }
            try {
                Files.createDirectories(directory);
                this.path = Files.createTempFile(directory, "load-", ".staging");
                this.file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw LedgerException.exhausted("cannot stage a snapshot in " + directory + ": " + e.getMessage());
            }
        }

        /** Bytes staged so far. */
        public long size() {
            return size;
        }

        /**
         * Copies {@code src}'s remaining bytes (consuming them).
         *
         * @throws OutOfMemoryError when direct memory runs out (the caller refuses the call)
         * @throws LedgerException  RESOURCE_EXHAUSTED when the staging file cannot be written
         */
        public void append(ByteBuffer src) {
            if (file != null) {
                try {
                    while (src.hasRemaining()) {
                        size += file.write(src);
                    }
                } catch (IOException e) {
                    throw LedgerException.exhausted("cannot stage a snapshot in " + path + ": " + e.getMessage());
                }
                return;
            }
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

        /**
         * The staged bytes; this staging must not be used after.
         *
         * @throws LedgerException RESOURCE_EXHAUSTED when the staging file cannot be mapped
         */
        public SnapshotBytes finish() {
            if (file != null) {
                try {
                    ByteBuffer[] mapped = new ByteBuffer[(int) ((size + (1L << FILE_PART_SHIFT) - 1) >>> FILE_PART_SHIFT)];
                    for (int i = 0; i < mapped.length; i++) {
                        long at = (long) i << FILE_PART_SHIFT;
                        mapped[i] = file.map(FileChannel.MapMode.READ_ONLY, at, Math.min(1L << FILE_PART_SHIFT, size - at));
                    }
                    return new SnapshotBytes(mapped, FILE_PART_SHIFT, size);
                } catch (IOException e) {
                    throw LedgerException.exhausted("cannot map the staged snapshot " + path + ": " + e.getMessage());
                } finally {
                    discard();
                }
            }
            ByteBuffer[] read = new ByteBuffer[parts.size()];
            for (int i = 0; i < read.length; i++) {
                read[i] = parts.get(i).flip();
            }
            parts.clear();
            return new SnapshotBytes(read, PART_SHIFT, size);
        }

        /** Drops what was staged (closes and deletes the file; a mapping made by {@link #finish()} stays valid). */
        public void discard() {
            parts.clear();
            if (file != null) {
                try {
                    file.close();
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    System.getLogger(Staging.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot delete the staging file " + path + ": " + e.getMessage());
                }
            }
        }
    }
}
