package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The open loop measures from each call's intended start, so a stall shows in every call it delayed. */
@Timeout(30)
class OpenLoopDriverTest {
    private static final long DELAY_MILLIS = 20;

    @Test
    void aSenderHeldBackByTheOutstandingCapInflatesTheCorrectedHistogramButNotTheUncorrectedOne() throws Exception {
        try (SlowLedger slow = new SlowLedger(DELAY_MILLIS)) {
            // 500/s intended, but with one call in flight and 20 ms per reply at most ~50/s go out.
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", slow.target(), "--rate", "500",
                "--max-outstanding", "1", "--duration", "600ms", "--warmup", "0", "--channels", "1"));
            Histogram corrected = r.appendLatency();
            Histogram uncorrected = r.uncorrectedLatency();
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertTrue(r.capWaits() > 0 && r.unsent() > 0, "the cap held the sender back and it fell behind");
            assertEquals(corrected.getTotalCount(), uncorrected.getTotalCount());
            assertTrue(millis(uncorrected.getValueAtPercentile(50)) < 3 * DELAY_MILLIS,
                "from the actual send each call takes about the server's delay: " + LatencyReport.percentiles(
                    uncorrected));
            assertTrue(millis(corrected.getMaxValue()) > 250, "the backlog grows through the run: "
                + LatencyReport.percentiles(corrected));
            assertTrue(corrected.getValueAtPercentile(50) > 4 * uncorrected.getValueAtPercentile(50),
                LatencyReport.percentiles(corrected) + " vs " + LatencyReport.percentiles(uncorrected));
        }
    }

    @Test
    void withoutAStallBothHistogramsAgree() throws Exception {
        try (SlowLedger slow = new SlowLedger(DELAY_MILLIS)) {
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", slow.target(), "--rate", "100",
                "--duration", "500ms", "--warmup", "100ms", "--channels", "1"));
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertEquals(0, r.capWaits());
            assertEquals(50, r.measuredAppends(), 5, "100/s for 500 ms, give or take the window's edges");
            long gap = r.appendLatency().getValueAtPercentile(50) - r.uncorrectedLatency().getValueAtPercentile(50);
            // Apart only by the sender's wake-up lateness, which on a loaded machine can reach milliseconds,
            // but stays below one server delay: a stall (the test above) puts them many delays apart.
            assertTrue(gap >= 0 && millis(gap) < DELAY_MILLIS, "only the sender's wake-up lateness apart: " + gap + " ns");
        }
    }

    @Test
    void theClosedLoopCanBackFillWithAnExpectedInterval() throws Exception {
        try (SlowLedger slow = new SlowLedger(DELAY_MILLIS)) {
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", slow.target(), "--callers", "1",
                "--expected-interval", "5ms", "--duration", "300ms", "--warmup", "0"));
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertTrue(r.appendLatency().getTotalCount() > 2 * r.measuredAppends(),
                "each 20 ms reply back-fills the 15, 10 and 5 ms samples an every-5-ms sender would have seen");
        }
    }

    private static double millis(long nanos) {
        return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
