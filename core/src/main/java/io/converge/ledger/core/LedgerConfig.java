package io.converge.ledger.core;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How a {@link Ledger} is sized and tuned. Immutable.
 *
 * @param ringSize          slots in the command ring; a power of two
 * @param memoryBudgetBytes most bytes of memory the stored entries may keep (see {@code MemoryBudget}:
 *                          the index, and records kept in memory); appends beyond it are
 *                          refused with RESOURCE_EXHAUSTED
 * @param waitStrategy      how the ring's consumers wait for commands
 * @param watchThreads      threads delivering entries to watchers
 * @param ringFullWaitNanos how long a publisher waits for a free slot before RESOURCE_EXHAUSTED
 * @param epochNanos        the clock that stamps appended_at_ns
 * @param storage           where records live and how they are forced and recovered
 * @param loadMaxClockSkewNanos how far past the ledger's clock a loaded entry's appended_at_ns may
 *                          lie; a blob with a later one is refused (default 1 minute)
 */
public record LedgerConfig(int ringSize, long memoryBudgetBytes, Wait waitStrategy, int watchThreads,
                           long ringFullWaitNanos, LongSupplier epochNanos, StorageConfig storage,
                           long loadMaxClockSkewNanos) {

    /** The ring consumers' wait strategies, by the name used in configuration. */
    public enum Wait {
        /**
         * Spin about a microsecond, yield up to 50 µs, then park until signalled: gives cores
         * away fast on small machines, idle CPU stays near zero. The default.
         */
        PARKING,
        /** Spin 20 µs, then yield up to 200 µs, then block on a lock: more CPU spent waiting. */
        PHASED,
        /** Block on a lock and condition: least CPU, highest wake-up latency. */
        BLOCKING,
        /** Spin briefly, then sleep in short naps: no lock, a little idle CPU. */
        SLEEPING,
        /** Spin, then yield: low latency, burns a core while idle. */
        YIELDING,
        /** Spin only: lowest latency, burns a core per consumer. */
        BUSY_SPIN;

        WaitStrategy create() {
            return switch (this) {
                case PARKING -> new SpinYieldParkWaitStrategy();
                case PHASED -> PhasedBackoffWaitStrategy.withLiteLock(20, 200, TimeUnit.MICROSECONDS);
                case BLOCKING -> new BlockingWaitStrategy();
                case SLEEPING -> new SleepingWaitStrategy();
                case YIELDING -> new YieldingWaitStrategy();
                case BUSY_SPIN -> new BusySpinWaitStrategy();
            };
        }

        /** Parses a name such as {@code phased} or {@code busy-spin}, case-insensitively. */
        public static Wait parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    public static final int DEFAULT_RING_SIZE = 1 << 16;
    public static final long DEFAULT_LOAD_MAX_CLOCK_SKEW_NANOS = TimeUnit.MINUTES.toNanos(1);

    public LedgerConfig {
        if (ringSize < 1 || Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ringSize must be a power of two, not " + ringSize);
        }
        if (memoryBudgetBytes < 0) {
            throw new IllegalArgumentException("memoryBudgetBytes must not be negative");
        }
        if (watchThreads < 1) {
            throw new IllegalArgumentException("watchThreads must be at least 1");
        }
        if (loadMaxClockSkewNanos < 0) {
            throw new IllegalArgumentException("loadMaxClockSkewNanos must not be negative");
        }
    }

    /**
     * Defaults: a 65,536-slot ring, half the heap for entries, the parking wait, 2 watch threads, 100 ms,
     * records in memory (an embedded ledger writes no files unless told where), a 1-minute load clock skew.
     */
    public static LedgerConfig defaults() {
        return new LedgerConfig(DEFAULT_RING_SIZE, Runtime.getRuntime().maxMemory() / 2, Wait.PARKING, 2,
            TimeUnit.MILLISECONDS.toNanos(100), EpochNanoClock.SYSTEM, StorageConfig.memory(),
            DEFAULT_LOAD_MAX_CLOCK_SKEW_NANOS);
    }

    public LedgerConfig withStorage(StorageConfig newStorage) {
        return new LedgerConfig(ringSize, memoryBudgetBytes, waitStrategy, watchThreads, ringFullWaitNanos, epochNanos,
            newStorage, loadMaxClockSkewNanos);
    }

    public LedgerConfig withRingSize(int slots) {
        return new LedgerConfig(slots, memoryBudgetBytes, waitStrategy, watchThreads,
            ringFullWaitNanos, epochNanos, storage, loadMaxClockSkewNanos);
    }

    public LedgerConfig withMemoryBudgetBytes(long bytes) {
        return new LedgerConfig(ringSize, bytes, waitStrategy, watchThreads, ringFullWaitNanos, epochNanos,
            storage, loadMaxClockSkewNanos);
    }

    public LedgerConfig withWaitStrategy(Wait wait) {
        return new LedgerConfig(ringSize, memoryBudgetBytes, wait, watchThreads, ringFullWaitNanos, epochNanos,
            storage, loadMaxClockSkewNanos);
    }

    public LedgerConfig withWatchThreads(int threads) {
        return new LedgerConfig(ringSize, memoryBudgetBytes, waitStrategy, threads, ringFullWaitNanos, epochNanos,
            storage, loadMaxClockSkewNanos);
    }

    public LedgerConfig withRingFullWaitNanos(long nanos) {
        return new LedgerConfig(ringSize, memoryBudgetBytes, waitStrategy, watchThreads, nanos, epochNanos,
            storage, loadMaxClockSkewNanos);
    }


    public LedgerConfig withEpochNanos(LongSupplier clock) {
        return new LedgerConfig(ringSize, memoryBudgetBytes, waitStrategy, watchThreads, ringFullWaitNanos, clock,
            storage, loadMaxClockSkewNanos);
    }

    public LedgerConfig withLoadMaxClockSkewNanos(long nanos) {
        return new LedgerConfig(ringSize, memoryBudgetBytes, waitStrategy, watchThreads, ringFullWaitNanos, epochNanos,
            storage, nanos);
    }
}
