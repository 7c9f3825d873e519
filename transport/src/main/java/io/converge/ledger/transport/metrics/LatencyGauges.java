package io.converge.ledger.transport.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One server-side latency histogram (cumulative since the ledger started) as Micrometer
 * meters, for a {@code name} such as {@code ledger.latency.publish.to.sequenced}:
 * <ul>
 *   <li>{@code name{quantile="0.5"|"0.9"|"0.99"|"0.999"|"0.9999"}}: a {@link TimeGauge} per
 *       quantile, in the registry's base time unit (seconds for Prometheus, so
 *       {@code name_seconds{quantile="0.99"}});</li>
 *   <li>{@code name.max}: a {@link TimeGauge}, the largest value recorded;</li>
 *   <li>{@code name.count}: a {@link FunctionCounter} of the values recorded, so that
 *       {@code rate()} gives recordings per second.</li>
 * </ul>
 *
 * <p>Why gauges and not a Micrometer {@code Timer} or distribution summary: the core
 * already records into an HdrHistogram and hands out copies; quantiles computed from it
 * over the whole run are exact to its precision, cost the hot path nothing more, and
 * render in Prometheus as plain series a dashboard can graph. They are cumulative, so they
 * move slowly after a long run; {@code /latency} gives the recent window.
 *
 * <p>A scrape reads seven meters per histogram; each read would otherwise copy the whole
 * histogram. So the meters share one {@link Summary}, computed from one copy and reused
 * for {@link #MAX_AGE_NANOS}: a scrape reads all of one histogram's meters well within
 * that, so they agree with each other. Thread-safe: two scrapes at once may each take a
 * copy, and either result is correct.
 */
final class LatencyGauges {
    /** How long one copy of the histogram answers every meter's read. */
    static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999, 0.9999};

    private final Supplier<Histogram> sinceStart;
    private final LongSupplier nanoTime;
    private volatile Summary last;

    /**
     * @param sinceStart a fresh copy of the cumulative histogram, in nanoseconds
     * @param nanoTime   a monotonic clock ({@code System::nanoTime})
     */
    LatencyGauges(Supplier<Histogram> sinceStart, LongSupplier nanoTime) {
        this.sinceStart = sinceStart;
        this.nanoTime = nanoTime;
    }

    /** Registers this histogram's meters under {@code name}; the registry reads them through this object. */
    LatencyGauges register(MeterRegistry registry, String name, String description) {
        for (int i = 0; i < QUANTILES.length; i++) {
            int q = i;
            TimeGauge.builder(name, this, TimeUnit.NANOSECONDS, g -> g.summary().atQuantile(q))
                .description(description + ", at the quantile, since start")
                .tag("quantile", Double.toString(QUANTILES[i]))
                .strongReference(true)
                .register(registry);
        }
        TimeGauge.builder(name + ".max", this, TimeUnit.NANOSECONDS, g -> g.summary().max())
            .description(description + ", largest since start")
            .strongReference(true)
            .register(registry);
        FunctionCounter.builder(name + ".count", this, g -> g.summary().count())
            .description("values recorded since start of the " + description)
            .register(registry);
        return this;
    }

    /** The histogram's figures as of at most {@link #MAX_AGE_NANOS} ago. */
    Summary summary() {
        Summary s = last;
        long now = nanoTime.getAsLong();
        if (s == null || now - s.takenAtNanos() >= MAX_AGE_NANOS) {
            s = Summary.of(sinceStart.get(), now);
            last = s;
        }
        return s;
    }

    /**
     * The figures of one histogram copy, in nanoseconds.
     *
     * @param atQuantileNanos the value at each of {@link #QUANTILES}, in order
     */
    record Summary(long takenAtNanos, long count, long max, long[] atQuantileNanos) {
        static Summary of(Histogram h, long takenAtNanos) {
            long[] at = new long[QUANTILES.length];
            for (int i = 0; i < at.length; i++) {
                at[i] = h.getValueAtPercentile(QUANTILES[i] * 100);
            }
            return new Summary(takenAtNanos, h.getTotalCount(), h.getTotalCount() == 0 ? 0 : h.getMaxValue(), at);
        }

        double atQuantile(int index) {
            return atQuantileNanos[index];
        }
    }
}
