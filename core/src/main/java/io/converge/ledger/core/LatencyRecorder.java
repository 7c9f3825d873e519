package io.converge.ledger.core;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

import java.util.concurrent.TimeUnit;

/**
 * One server-side latency, in nanoseconds, recorded by a single thread and read by any.
 *
 * <p>The writer (the completion thread, one only) records between {@link #beginBatch()} and
 * {@link #endBatch()}, which bracket a batch of the ring: one {@link WriterReaderPhaser}
 * critical section per batch, not per value, so {@link #record} is a plain histogram
 * increment and allocates nothing. Values above {@link #HIGHEST_TRACKABLE_NANOS} are
 * recorded as that value, negative ones as 0.
 *
 * <p>Readers are thread-safe and may allocate: each read swaps the histogram the writer
 * fills for an empty one (waiting, at most, for the writer to finish its current batch),
 * adds what it took into two accumulated histograms, one since start and one since
 * {@link #resetWindow()}, and returns a copy.
 */
public final class LatencyRecorder {
    /** Latencies are tracked up to one minute, at three significant digits. */
    public static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Histogram active = newHistogram();
    /** Writer only. */
    private long criticalSection;
    private boolean inBatch;

    /** Readers only, under this object's lock. */
    private Histogram inactive = newHistogram();
    private final Histogram sinceStart = newHistogram();
    private final Histogram window = newHistogram();

    LatencyRecorder() {
    }

    private static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_TRACKABLE_NANOS, 3);
    }

    /** Writer only: starts a batch of records (idempotent within a batch). */
    void beginBatch() {
        if (!inBatch) {
            criticalSection = phaser.writerCriticalSectionEnter();
            inBatch = true;
        }
    }

    /** Writer only, inside a batch: records one latency. */
    void record(long nanos) {
        record(nanos, 1);
    }

    /** As {@link #record(long)}, for {@code count} commands that took the same time (one batch's entries). */
    void record(long nanos, long count) {
        active.recordValueWithCount(Math.min(Math.max(nanos, 0), HIGHEST_TRACKABLE_NANOS), count);
    }

    /** Writer only: ends the batch; readers wait for this before taking what it recorded. */
    void endBatch() {
        if (inBatch) {
            inBatch = false;
            phaser.writerCriticalSectionExit(criticalSection);
        }
    }

    /** Every latency recorded since the ledger started (a copy). */
    public synchronized Histogram sinceStart() {
        drain();
        return sinceStart.copy();
    }

    /** The latencies recorded since the last {@link #resetWindow()} (a copy). */
    public synchronized Histogram window() {
        drain();
        return window.copy();
    }

    /** Starts a new window: {@link #window()} then holds only what is recorded after this call. */
    public synchronized void resetWindow() {
        drain();
        window.reset();
    }

    private void drain() {
        phaser.readerLock();
        try {
            inactive.reset();
            Histogram taken = active;
            active = inactive;
            inactive = taken;
            phaser.flipPhase();
        } finally {
            phaser.readerUnlock();
        }
        sinceStart.add(inactive);
        window.add(inactive);
    }
}
