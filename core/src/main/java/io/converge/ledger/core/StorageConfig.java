package io.converge.ledger.core;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Where and how the ledger keeps its records. Immutable.
 *
 * @param mode               files under {@code dataDirectory}, or memory (no files)
 * @param dataDirectory      the data directory ({@link Mode#FILES} only)
 * @param segmentBytes       bytes per segment; at least {@link #MIN_SEGMENT_BYTES}, so the largest record fits
 * @param fsync              when written records are forced to the disk ({@link Mode#FILES} only)
 * @param fsyncIntervalNanos how often {@link Fsync#INTERVAL} forces
 * @param diskBudgetBytes    most bytes of segment files, 0 for no budget ({@link Mode#FILES} only)
 * @param recovery           what a damaged record before the log's end does at start
 */
public record StorageConfig(Mode mode, Path dataDirectory, int segmentBytes, Fsync fsync, long fsyncIntervalNanos,
                            long diskBudgetBytes, Recovery recovery) {

    /** Smallest segment: one that holds the largest record the contract allows, with room to spare. */
    public static final int MIN_SEGMENT_BYTES = 8 << 20;
    public static final int DEFAULT_FILE_SEGMENT_BYTES = 64 << 20;
    public static final int DEFAULT_MEMORY_SEGMENT_BYTES = 16 << 20;

    /** Where records live. */
    public enum Mode {
        /** Memory-mapped segment files in the data directory: durable, recovered at start. */
        FILES,
        /** The same records in direct memory: nothing survives the process. For profiling runs and CI gates. */
        MEMORY
    }

    /** When written records are forced to the disk, as CONTRACT.md "Extension: durability and restart" states. */
    public enum Fsync {
        /** Acknowledged once in the mapped segment; forced every interval by a thread of its own. */
        INTERVAL,
        /** Acknowledged only after the force that covers it: one force per ring batch (group commit). */
        ALWAYS,
        /** Acknowledged once in the mapped segment; the OS writes it back when it will. */
        NEVER;

        /** Parses {@code interval}, {@code always} or {@code never}, case-insensitively. */
        public static Fsync parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** What recovery does with a damaged record that is not the log's torn end. */
    public enum Recovery {
        /** Refuse to start, naming the file and offset. */
        STRICT,
        /** Cut the log there, dropping it and everything after it, and say how much was dropped. */
        TRUNCATE;

        /** Parses {@code strict} or {@code truncate}, case-insensitively. */
        public static Recovery parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    public StorageConfig {
        if (segmentBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be at least " + MIN_SEGMENT_BYTES + ", not "
                + segmentBytes);
        }
        if (mode == Mode.FILES && dataDirectory == null) {
            throw new IllegalArgumentException("file storage needs a data directory");
        }
        if (fsyncIntervalNanos <= 0) {
            throw new IllegalArgumentException("fsyncIntervalNanos must be positive");
        }
        if (diskBudgetBytes < 0) {
            throw new IllegalArgumentException("diskBudgetBytes must not be negative");
        }
    }

    /** Records in direct memory, 16 MiB segments. */
    public static StorageConfig memory() {
        return new StorageConfig(Mode.MEMORY, null, DEFAULT_MEMORY_SEGMENT_BYTES, Fsync.NEVER,
            TimeUnit.SECONDS.toNanos(1), 0, Recovery.STRICT);
    }

    /** Records in mapped files under {@code dataDirectory}: 64 MiB segments, forced every second, strict recovery. */
    public static StorageConfig files(Path dataDirectory) {
        return new StorageConfig(Mode.FILES, dataDirectory, DEFAULT_FILE_SEGMENT_BYTES, Fsync.INTERVAL,
            TimeUnit.SECONDS.toNanos(1), 0, Recovery.STRICT);
    }

    public StorageConfig withSegmentBytes(int bytes) {
        return new StorageConfig(mode, dataDirectory, bytes, fsync, fsyncIntervalNanos, diskBudgetBytes, recovery);
    }

    public StorageConfig withFsync(Fsync policy, long intervalNanos) {
        return new StorageConfig(mode, dataDirectory, segmentBytes, policy, intervalNanos, diskBudgetBytes, recovery);
    }

    public StorageConfig withDiskBudgetBytes(long bytes) {
        return new StorageConfig(mode, dataDirectory, segmentBytes, fsync, fsyncIntervalNanos, bytes, recovery);
    }

    public StorageConfig withRecovery(Recovery mode) {
        return new StorageConfig(this.mode, dataDirectory, segmentBytes, fsync, fsyncIntervalNanos, diskBudgetBytes,
            mode);
    }

    /** Whether records live in memory, where they count against the memory budget. */
    boolean inMemory() {
        return mode == Mode.MEMORY;
    }

    /** Opens the store this describes: locks and maps the data directory, or nothing for memory. */
    SegmentedStore open() {
        return new SegmentedStore(mode == Mode.FILES
            ? new SegmentFiles(dataDirectory, segmentBytes, diskBudgetBytes)
            : new OffHeapSegments(segmentBytes));
    }

    @Override
    public String toString() {
        return mode == Mode.MEMORY ? "memory (" + (segmentBytes >> 20) + " MiB segments)"
            : "files in " + dataDirectory + " (" + (segmentBytes >> 20) + " MiB segments, fsync "
            + fsync.name().toLowerCase(Locale.ROOT)
            + (fsync == Fsync.INTERVAL ? " " + TimeUnit.NANOSECONDS.toMillis(fsyncIntervalNanos) + " ms" : "") + ")";
    }
}
