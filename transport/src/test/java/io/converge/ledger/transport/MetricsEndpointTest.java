package io.converge.ledger.transport;

import io.converge.context.v1.GetRequest;
import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP metrics endpoint (LEDGER_METRICS_PORT) over real HTTP, with the ledger served over each transport. */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class MetricsEndpointTest extends ServedOverBothTransports {
    private static final String GET = "ledger_grpc_calls_total{method=\"converge.context.v1.ContextService/Get\",status=\"";
    private static final String WATCH =
        "ledger_grpc_calls_total{method=\"converge.context.v1.ContextService/Watch\",status=\"";
    private static final Pattern LATENCY_LINE = Pattern.compile(
        "(publish_to_sequenced_ns|publish_to_reply_ns) count=(\\d+) p50=(\\d+) p90=(\\d+) p99=(\\d+)"
            + " p99\\.9=(\\d+) p99\\.99=(\\d+) max=(\\d+)");

    private MetricsClient metrics;

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withMetricsPort(0);
    }

    private MetricsClient metrics() {
        if (metrics == null) {
            assertTrue(fixture.server.metricsPort() > 0, "metrics port 0 binds one the OS chooses");
            metrics = new MetricsClient(fixture.server.metricsPort());
        }
        return metrics;
    }

    @Test
    void scrapingMetricsShowsTheLedgerMetersAndTheJvmMetersInPrometheusText() throws Exception {
        HttpResponse<String> response = metrics().send("GET", "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
            () -> "content type: " + response.headers().map());
        Map<String, Double> samples = metrics().scrape();
        for (String series : List.of("ledger_appends_total", "ledger_entries_stored", "ledger_bytes_stored",
            "ledger_contexts", "ledger_watchers_open", "ledger_ring_remaining", "ledger_store_bytes",
            "ledger_store_refusals_total", "ledger_store_forces_total", "ledger_store_segment_waits_total",
            "ledger_latency_publish_to_sequenced_seconds{quantile=\"0.99\"}",
            "ledger_latency_publish_to_sequenced_max_seconds", "ledger_latency_publish_to_sequenced_count_total",
            "ledger_latency_publish_to_reply_seconds{quantile=\"0.9999\"}",
            "ledger_latency_publish_to_reply_max_seconds", "ledger_latency_publish_to_reply_count_total",
            "process_uptime_seconds", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
            "system_cpu_count")) {
            assertTrue(samples.containsKey(series), () -> "no " + series + " in " + samples.keySet());
        }
        assertTrue(samples.keySet().stream().anyMatch(s -> s.startsWith("jvm_memory_used_bytes{")), "JVM memory");
        assertTrue(samples.keySet().stream().anyMatch(s -> s.startsWith("jvm_gc_")), "JVM GC");
        assertEquals(65536, samples.get("ledger_ring_remaining"), "an idle ring is all free");
    }

    @Test
    void afterNAppendsTheAppendsCounterAndTheEntriesAndBytesStoredGrowByExactlyThat() throws Exception {
        appendMany(fixture, "warm-up", 1);
        Map<String, Double> before = metrics().scrape();
        int n = 7;
        appendMany(fixture, "ctx", n);
        Map<String, Double> after = metrics().scrape();

        assertEquals(n, after.get("ledger_appends_total") - before.get("ledger_appends_total"));
        assertEquals(n, after.get("ledger_entries_stored") - before.get("ledger_entries_stored"));
        var stats = fixture.server.ledger().stats();
        assertEquals(stats.bytesStored(), after.get("ledger_bytes_stored"));
        assertTrue(after.get("ledger_bytes_stored") > before.get("ledger_bytes_stored"));
        assertEquals(2, after.get("ledger_contexts"));
        assertEquals(fixture.server.ledger().storedRecordBytes(), after.get("ledger_store_bytes"));
        assertTrue(after.get("ledger_store_bytes") > before.get("ledger_store_bytes"), "the records take more room");
    }

    @Test
    void getCallsAreCountedByMethodAndStatusIncludingRefusedOnes() throws Exception {
        for (int i = 0; i < 3; i++) {
            fixture.blocking().get(GetRequest.newBuilder().setContextId("ctx").build());
        }
        assertRejected(Status.Code.INVALID_ARGUMENT, "context",
            () -> fixture.blocking().get(GetRequest.newBuilder().setContextId("").build()));

        Map<String, Double> samples = metrics().scrape();
        assertEquals(3, samples.get(GET + "OK\"}"), () -> samples.toString());
        assertEquals(1, samples.get(GET + "INVALID_ARGUMENT\"}"));
    }

    @Test
    void watchersOpenIsOneWhileAWatchIsOpenAndZeroOnceItIsCancelledWhichCountsTheCallAsCancelled() throws Exception {
        WatchRecorder watcher = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("ctx").build(), watcher);
        await("ledger_watchers_open 1", 10, () -> scraped("ledger_watchers_open") == 1);

        watcher.cancel();
        await("ledger_watchers_open 0", 10, () -> scraped("ledger_watchers_open") == 0);
        await("the cancelled watch counted", 10, () -> scrapedOrZero(WATCH + "CANCELLED\"}") == 1);
    }

    @Test
    void theLatencyGaugesCountEveryAppend() throws Exception {
        int n = 20;
        appendMany(fixture, "ctx", n);
        // the completion thread records an append's latencies just after handing its reply to gRPC
        await("both latency counts reach " + n, 10,
            () -> scraped("ledger_latency_publish_to_sequenced_count_total") >= n
                && scraped("ledger_latency_publish_to_reply_count_total") >= n);
        Map<String, Double> samples = metrics().scrape();
        double p50 = samples.get("ledger_latency_publish_to_reply_seconds{quantile=\"0.5\"}");
        double max = samples.get("ledger_latency_publish_to_reply_max_seconds");
        assertTrue(p50 > 0 && p50 <= max && max < 10, () -> "p50 " + p50 + " s, max " + max + " s");
    }

    @Test
    void latencyGivesOneLinePerHistogramAndResetStartsANewWindow() throws Exception {
        int n = 10;
        appendMany(fixture, "ctx", n);
        await("both /latency counts reach " + n, 10, () -> {
            long[] counts = latencyCounts(body("/latency"));
            return counts[0] >= n && counts[1] >= n;
        });

        HttpResponse<String> reset = metrics().send("GET", "/latency/reset");
        assertEquals(204, reset.statusCode());
        assertEquals("", reset.body());
        long[] afterReset = latencyCounts(metrics().get("/latency"));
        assertEquals(0, afterReset[0]);
        assertEquals(0, afterReset[1]);
        assertTrue(metrics().value("ledger_latency_publish_to_sequenced_count_total") >= n,
            "the since-start meters are not reset");
    }

    @Test
    void anUnknownPathIs404AndAnotherMethodThanGetIs405() throws Exception {
        assertEquals(404, metrics().send("GET", "/").statusCode());
        assertEquals(404, metrics().send("GET", "/metrics/more").statusCode());
        for (String path : List.of("/metrics", "/latency", "/latency/reset")) {
            HttpResponse<String> response = metrics().send("POST", path);
            assertEquals(405, response.statusCode(), path);
            assertEquals("GET", response.headers().firstValue("Allow").orElse(""), path);
        }
        assertEquals(405, metrics().send("DELETE", "/latency/reset").statusCode());
    }

    /** The counts of the two /latency lines, in order, after checking that the text has exactly those lines. */
    private static long[] latencyCounts(String text) {
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, text);
        long[] counts = new long[2];
        for (int i = 0; i < 2; i++) {
            Matcher m = LATENCY_LINE.matcher(lines[i]);
            assertTrue(m.matches(), () -> "not a latency line: " + text);
            assertEquals(i == 0 ? "publish_to_sequenced_ns" : "publish_to_reply_ns", m.group(1));
            long p50 = Long.parseLong(m.group(3));
            long p9999 = Long.parseLong(m.group(7));
            long max = Long.parseLong(m.group(8));
            assertTrue(p50 <= p9999 && p9999 <= max, lines[i]);
            counts[i] = Long.parseLong(m.group(2));
        }
        return counts;
    }

    private double scraped(String series) {
        try {
            return metrics().value(series);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String body(String path) {
        try {
            return metrics().get(path);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private double scrapedOrZero(String series) {
        try {
            return metrics().valueOrZero(series);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
