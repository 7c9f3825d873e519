package io.converge.ledger.transport.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Bounds how many records each logger writes at each level in a window of time, so a flood
 * of bad requests or a fault repeating on every call cannot fill a disk: of one logger's
 * records of one level, at most {@code perWindow} pass in each {@code windowNanos}; the rest
 * are counted, and the first record that passes after its window ended is preceded by one
 * line saying how many were suppressed. Thread-safe: each (logger, level) pair has its own
 * small lock, taken only for records whose level is enabled.
 */
final class LogRateLimit {
    /** Records of one logger and level per window, by default. */
    static final int DEFAULT_PER_WINDOW = 20;
    /** The default window: ten seconds. */
    static final long DEFAULT_WINDOW_NANOS = 10_000_000_000L;

    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Window[]> windows = new ConcurrentHashMap<>();

    LogRateLimit(int perWindow, long windowNanos, LongSupplier nanoTime) {
        if (perWindow < 1 || windowNanos < 1) {
            throw new IllegalArgumentException("perWindow and windowNanos must be positive");
        }
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes a permit for one record of {@code logger} at {@code level}.
     *
     * @return -1 when the record must be dropped; otherwise how many of this logger's records of
     *         this level were dropped since the last one that passed (usually 0)
     */
    long acquire(String logger, LogLevel level) {
        Window[] byLevel = windows.get(logger);
        if (byLevel == null) {
            byLevel = windows.computeIfAbsent(logger, n -> {
                Window[] w = new Window[LogLevel.values().length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = new Window();
                }
                return w;
            });
        }
        return byLevel[level.ordinal()].acquire(nanoTime.getAsLong());
    }

    /** The rule as a phrase for the suppression line: "at most 20 per 10000 ms". */
    String rule() {
        return "at most " + perWindow + " per " + windowNanos / 1_000_000 + " ms";
    }

    private final class Window {
        private boolean started;
        private long start;
        private int passed;
        private long dropped;

        synchronized long acquire(long now) {
            if (!started || now - start >= windowNanos) {
                started = true;
                start = now;
                passed = 0;
            }
            if (passed == perWindow) {
                dropped++;
                return -1;
            }
            passed++;
            long report = dropped;
            dropped = 0;
            return report;
        }
    }
}
