package io.converge.ledger.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Segments as memory-mapped files in a data directory: {@code segment-00000000.log},
 * {@code segment-00000001.log}, … each {@code segmentBytes} long. The directory is held
 * with an exclusive lock on {@code ledger.lock} for as long as this is open, so two
 * servers never share it.
 *
 * <p>A new segment's file is made its full length (sparse), mapped, and each of its pages
 * written once, here, off the writer's thread: the write faults make the file system
 * reserve every page's block now, so a full disk fails the creation (refusing appends with
 * a message) instead of a later store into the mapping by the writer, and the writer
 * finds every page already in memory. (Filling the file with zeros through its channel and
 * forcing them, as the first version did, wrote every segment to the disk twice and took
 * a quarter of a core at a million appends a second.)
 */
final class SegmentFiles implements SegmentSource {
    private static final Pattern NAME = Pattern.compile("segment-(\\d{8})\\.log");
    private static final int PAGE = 4096;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
    /**
     * The data directories this JVM holds, by real path. A second open in the same JVM is
     * refused before it opens {@code ledger.lock}: closing that second channel would drop
     * the process's lock on the file (POSIX locks belong to the process, not the channel),
     * leaving the directory open to another server.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final Path held;
    private final int segmentBytes;
    private final long diskBudgetBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /**
     * Creates the directory when missing and locks it.
     *
     * @param diskBudgetBytes most bytes of segment files; 0 for no budget
     * @throws IllegalStateException when another server holds the directory, or it cannot be used
     */
    SegmentFiles(Path directory, int segmentBytes, long diskBudgetBytes) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.diskBudgetBytes = diskBudgetBytes;
        Path lockFile = directory.resolve("ledger.lock");
        try {
            Files.createDirectories(directory);
            held = directory.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("cannot use the data directory " + directory + ": " + e, e);
        }
        if (!HELD.add(held)) {
            throw inUse(lockFile);
        }
        try {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            HELD.remove(held);
            throw new IllegalStateException("cannot use the data directory " + directory + ": " + e, e);
        }
        FileLock locked;
        try {
            locked = lockChannel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            locked = null;
        }
        if (locked == null) {
            closeQuietly(lockChannel);
            HELD.remove(held);
            throw inUse(lockFile);
        }
        lock = locked;
    }

    private IllegalStateException inUse(Path lockFile) {
        return new IllegalStateException("the data directory " + directory + " is in use by another server ("
            + lockFile + " is locked)");
    }

    Path directory() {
        return directory;
    }

    static String fileName(int index) {
        return String.format("segment-%08d.log", index);
    }

    /**
     * The segment files in index order, mapped. A file shorter than the segment size (cut by
     * a crash or by hand) is extended with zeros first.
     *
     * @throws IllegalStateException when an index is missing or a file cannot be mapped
     */
    @Override
    public List<Segment> existing() {
        TreeMap<Integer, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory, "segment-*.log")) {
            for (Path p : dir) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    files.put(Integer.parseInt(m.group(1)), p);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the data directory " + directory + ": " + e, e);
        }
        List<Segment> segments = new ArrayList<>(files.size());
        for (var e : files.entrySet()) {
            if (e.getKey() != segments.size()) {
                throw new IllegalStateException("the data directory " + directory + " lacks " + fileName(segments.size())
                    + " before " + e.getValue().getFileName() + ": the log is incomplete");
            }
            segments.add(mapExisting(e.getKey(), e.getValue()));
        }
        return segments;
    }

    private Segment mapExisting(int index, Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < segmentBytes) {
                zeroFill(ch, size, segmentBytes);
                size = segmentBytes;
            }
            if (size > Integer.MAX_VALUE) {
                throw new IllegalStateException(file + " is " + size + " bytes, more than a segment can be");
            }
            return new Segment(index, ch.map(FileChannel.MapMode.READ_WRITE, 0, size), file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot map " + file + ": " + e, e);
        }
    }

    @Override
    public Segment create(int index) {
        if (diskBudgetBytes > 0 && (index + 1L) * segmentBytes > diskBudgetBytes) {
            throw LedgerException.exhausted("the disk budget is spent: " + index + " segments of " + segmentBytes
                + " bytes hold the ledger's records and another would exceed LEDGER_DISK_BUDGET_BYTES="
                + diskBudgetBytes);
        }
        Path file = directory.resolve(fileName(index));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), segmentBytes - 1L); // the full length, sparse
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
            for (int at = 0; at < segmentBytes; at += PAGE) {
                // A write fault per page, here and now: the file system reserves each page's block,
                // so a full disk fails this creation (SIGBUS, which the JVM turns into an InternalError
                // on this thread) and never the writer's later stores into the mapping.
                mapped.put(at, (byte) 0);
            }
            ch.force(true); // the file's length
            return new Segment(index, mapped, file.toString());
        } catch (IOException | UncheckedIOException | InternalError e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the failure below says what happened
            }
            throw LedgerException.exhausted("the ledger could not create its next segment " + file + " ("
                + segmentBytes + " bytes): " + e.getMessage() + "; appends are refused until it can");
        }
    }

    private static void zeroFill(FileChannel ch, long from, long to) throws IOException {
        long at = from;
        while (at < to) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            at += ch.write(zeros, at);
        }
    }

    @Override
    public void close() {
        if (!lockChannel.isOpen()) {
            return; // closed already: the directory may be another's by now
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(lockChannel);
        HELD.remove(held);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
