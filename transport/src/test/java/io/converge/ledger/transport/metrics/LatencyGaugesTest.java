package io.converge.ledger.transport.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyGaugesTest {
    private final Histogram recorded = new Histogram(3);
    private final AtomicInteger copies = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000);
    private final MeterRegistry registry = new SimpleMeterRegistry();

    LatencyGaugesTest() {
        new LatencyGauges(() -> {
            copies.incrementAndGet();
            return recorded.copy();
        }, now::get).register(registry, "test.latency", "test");
    }

    /** Reads every meter of the histogram, as one scrape does. */
    private void scrape() {
        registry.getMeters().forEach(m -> m.measure().forEach(measurement -> measurement.getValue()));
    }

    @Test
    void oneScrapeCopiesTheHistogramOnceForAllItsMeters() {
        recorded.recordValue(1_000);
        scrape();
        assertEquals(1, copies.get());
        assertEquals(7, registry.getMeters().size(), "five quantiles, max and count");
    }

    @Test
    void theMetersShowTheQuantilesMaxAndCountInSeconds() {
        for (long v = 1; v <= 1000; v++) {
            recorded.recordValue(v * 1_000); // 1 µs .. 1 ms
        }
        double p50 = registry.get("test.latency").tag("quantile", "0.5").timeGauge().value(TimeUnit.SECONDS);
        double p99 = registry.get("test.latency").tag("quantile", "0.99").timeGauge().value(TimeUnit.SECONDS);
        assertEquals(500e-6, p50, 1e-6);
        assertEquals(990e-6, p99, 1e-6);
        assertEquals(1e-3, registry.get("test.latency.max").timeGauge().value(TimeUnit.SECONDS), 1e-6);
        assertEquals(1000, registry.get("test.latency.count").functionCounter().count());
    }

    @Test
    void aScrapeAfterTheMaximumAgeSeesNewValuesAndOneWithinItReusesTheCopy() {
        scrape();
        recorded.recordValue(5_000);
        now.addAndGet(LatencyGauges.MAX_AGE_NANOS - 1);
        assertEquals(0, registry.get("test.latency.count").functionCounter().count(), "within the age: the same copy");
        now.addAndGet(1);
        assertEquals(1, registry.get("test.latency.count").functionCounter().count(), "past it: a new copy");
        assertEquals(2, copies.get());
    }

    @Test
    void anEmptyHistogramReadsZeroEverywhere() {
        assertEquals(0, registry.get("test.latency").tag("quantile", "0.9999").timeGauge().value(TimeUnit.SECONDS));
        assertEquals(0, registry.get("test.latency.max").timeGauge().value(TimeUnit.SECONDS));
        assertEquals(0, registry.get("test.latency.count").functionCounter().count());
    }
}
