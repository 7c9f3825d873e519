package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency distribution of a run, in nanoseconds: HdrHistogram's {@link Recorder}
 * (wait-free for any number of recording threads) tracking 1 ns to 1 minute at 3
 * significant digits. Longer values are clamped to 1 minute. {@link #record} and
 * {@link #recordWithExpectedInterval} may be called from any thread; {@link #take} from
 * one thread once recording has stopped.
 */
final class LatencyRecorder {
    /** The highest latency tracked, in ns; anything above counts as this. */
    static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;
    static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);

    /** Records one latency, in ns. */
    void record(long nanos) {
        recorder.recordValue(clamp(nanos));
    }

    /** Records one latency, in ns, {@code count} times: a batch's latency once per entry of it. */
    void record(long nanos, long count) {
        recorder.recordValueWithCount(clamp(nanos), count);
    }

    /**
     * Records one latency, in ns, and HdrHistogram's back-filled values for a sender that
     * meant to issue one call every {@code expectedIntervalNanos} but waited for this one.
     */
    void recordWithExpectedInterval(long nanos, long expectedIntervalNanos) {
        recorder.recordValueWithExpectedInterval(clamp(nanos), expectedIntervalNanos);
    }

    /** Everything recorded since the previous take, as a fresh histogram. */
    Histogram take() {
        return recorder.getIntervalHistogram();
    }

    private static long clamp(long nanos) {
        return Math.max(1, Math.min(nanos, HIGHEST_TRACKABLE_NANOS));
    }
}
