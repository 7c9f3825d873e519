package io.converge.ledger.core;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.TimeUnit;

/**
 * One server-side latency, in nanoseconds, recorded by a single thread and read by any.
 *
 * <p>{@link #record} is for one writer thread only (the completion thread) and allocates
 * nothing: it writes into an HdrHistogram {@link SingleWriterRecorder}, wait-free. Values
 * above {@link #HIGHEST_TRACKABLE_NANOS} are recorded as that value. Readers are
 * thread-safe and may allocate: each read moves what was recorded since the last read into
 * two accumulated histograms, one since start and one since {@link #resetWindow()}, and
 * returns a copy.
 */
public final class LatencyRecorder {
    /** Latencies are tracked up to one minute, at three significant digits. */
    public static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NANOS, 3);
    private final Histogram sinceStart = new Histogram(1, HIGHEST_TRACKABLE_NANOS, 3);
    private final Histogram window = new Histogram(1, HIGHEST_TRACKABLE_NANOS, 3);
    private Histogram recycled;

    LatencyRecorder() {
    }

    /** Records one latency. Single writer; allocation-free. Negative values count as 0. */
    void record(long nanos) {
        recorder.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_TRACKABLE_NANOS));
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
        Histogram interval = recorder.getIntervalHistogram(recycled);
        sinceStart.add(interval);
        window.add(interval);
        recycled = interval;
    }
}
