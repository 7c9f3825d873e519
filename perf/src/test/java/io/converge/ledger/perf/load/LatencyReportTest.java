package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyReportTest {
    private static Histogram microsEach(long... micros) {
        Histogram h = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NANOS, LatencyRecorder.SIGNIFICANT_DIGITS);
        for (long m : micros) {
            h.recordValue(m * 1000);
        }
        return h;
    }

    @Test
    void theResultLineHasFixedKeysInAFixedOrderWithLatenciesInMicroseconds() throws Exception {
        // HdrHistogram reports the highest value equivalent (3 significant digits) to the one at the percentile.
        LoadOptions o = LoadOptions.parse("--callers", "50", "--duration", "2s", "--warmup", "500ms", "--run-id", "t");
        LoadResult r = new LoadResult(o, 2_000_000_000L, 1000, 1200, 0, 0, Map.of(), 0, 0, 0, -1, microsEach(100, 200, 300),
            null, null, 0, List.of(), 1_000_000_000L, null, null, List.of());
        assertEquals("RESULT mode=closed target=localhost:50051 callers=50 rate=0 channels=4 contexts=1 payload=64"
            + " watchers=0 warmup_s=0.5 duration_s=2 appends=1000 appends_total=1200 throughput=500"
            + " p50_us=200.1 p90_us=300.0 p99_us=300.0 p999_us=300.0 p9999_us=300.0 max_us=300.0"
            + " client_cpu_cores=0.5 errors=0 unanswered=0 status=ok", LatencyReport.resultLine(r));
    }

    @Test
    void errorsFailTheRunAndAreCountedByStatusCode() throws Exception {
        LoadOptions o = LoadOptions.parse("--rate", "100", "--run-id", "t");
        LoadResult r = new LoadResult(o, 1_000_000_000L, 90, 90, 0, 0, Map.of("UNAVAILABLE", 10L), 2, 0, 0, 5000,
            microsEach(100), microsEach(50), null, 0, List.of(), -1, null, null, List.of());
        assertFalse(r.ok());
        String line = LatencyReport.resultLine(r);
        assertTrue(line.startsWith("RESULT mode=open ") && line.contains(" rate=100 "), line);
        assertTrue(line.contains(" uncorrected_p50_us=50.0 ") && line.contains(" sender_cpu_us_per_send=5.0 "), line);
        assertTrue(line.endsWith(" client_cpu_cores=-1 errors=10 unanswered=2 status=FAILED"), line);
        assertEquals("10 failed Append(s) (UNAVAILABLE=10), 2 unanswered", LatencyReport.errorText(r));
    }

    @Test
    void theServersCpuPerEntryIsReportedWhenItsPidIsGiven() throws Exception {
        LoadOptions o = LoadOptions.parse("--callers", "50", "--run-id", "t", "--server-pid", "4242");
        LoadResult r = new LoadResult(o, 2_000_000_000L, 1000, 1200, 0, 0, Map.of(), 0, 0, 0, -1, microsEach(100),
            null, null, 0, List.of(), 1_000_000_000L,
            new ServerCpu.Reading(3_000_000_000L, Map.of("ledger-ring", 2_000_000_000L)), null, List.of());
        assertTrue(LatencyReport.resultLine(r).endsWith(" client_cpu_cores=0.5 server_cpu_cores=1.5"
            + " server_cpu_us_per_entry=3000.000 errors=0 unanswered=0 status=ok"), LatencyReport.resultLine(r));
    }
}
