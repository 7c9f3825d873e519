package io.converge.ledger.perf.load;

import java.util.concurrent.TimeUnit;

/**
 * The run's timeline on the {@link System#nanoTime()} clock: warmup from {@code startNanos},
 * the measured phase from {@code measureFromNanos} (inclusive) to {@code endNanos}
 * (exclusive). A call is measured when the time it was meant to start falls in the
 * measured phase. Immutable.
 */
record MeasurementWindow(long startNanos, long measureFromNanos, long endNanos) {

    static MeasurementWindow startingNow(LoadOptions options) {
        long now = System.nanoTime();
        long measureFrom = now + options.warmup().toNanos();
        return new MeasurementWindow(now, measureFrom, measureFrom + options.duration().toNanos());
    }

    boolean measures(long startedAtNanos) {
        return startedAtNanos - measureFromNanos >= 0 && startedAtNanos - endNanos < 0;
    }

    boolean over(long nowNanos) {
        return nowNanos - endNanos >= 0;
    }

    long measuredNanos() {
        return endNanos - measureFromNanos;
    }

    /** Returns when the measured phase is over (at once if it is). */
    void sleepUntilEnd() throws InterruptedException {
        long untilEnd = endNanos - System.nanoTime();
        if (untilEnd > 0) {
            TimeUnit.NANOSECONDS.sleep(untilEnd);
        }
    }
}
