package io.converge.ledger.perf.dashboard;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.WatchRequest;
import io.converge.ledger.core.StorageConfig;
import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.ServerSettings;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/grafana/dashboard.json and alerts.yml: they parse, the dashboard has the panels the
 * operators' issue asks for, and every metric they query is one a real server exports.
 */
class DashboardFilesTest {
    private static final Path GRAFANA = Path.of("..", "docs", "grafana");
    private static final Path DASHBOARD = GRAFANA.resolve("dashboard.json");
    private static final Path ALERTS = GRAFANA.resolve("alerts.yml");

    @TempDir
    Path dir;

    @Test
    void theDashboardParsesAndHasAPanelForEachThingAnOperatorWatches() throws Exception {
        Dashboard d = Dashboard.read(DASHBOARD);
        assertEquals("Converge Ledger", d.title());
        List<String> titles = d.panels().stream().map(Dashboard.Panel::title).toList();
        for (String topic : List.of("Appends/s by method", "Latency", "Command ring", "Watchers", "Store size", "GC",
            "Refusals")) {
            assertTrue(titles.stream().anyMatch(t -> t.contains(topic)), topic + " in " + titles);
        }
        for (Dashboard.Panel p : d.panels()) {
            assertFalse(p.targets().isEmpty(), p.title());
            assertTrue(p.x() + p.w() <= 24, p.title() + " fits the 24-column grid");
            p.targets().forEach(t -> PromQl.parse(t.expr()));
        }
    }

    @Test
    void theAlertRulesParseAndCoverTheConditionsAnOperatorMustKnow() throws Exception {
        Map<String, String> rules = AlertRules.read(ALERTS);
        for (String alert : List.of("LedgerRingNearFull", "LedgerRefusingCalls", "LedgerWatcherStalled",
            "LedgerDiskBudgetNearlySpent", "LedgerStoreRefusals")) {
            assertTrue(rules.containsKey(alert), alert + " in " + rules.keySet());
        }
        rules.forEach((alert, expr) -> assertTrue(PromQl.parse(expr) != null, alert));
        assertTrue(rules.get("LedgerRefusingCalls").contains("RESOURCE_EXHAUSTED"), "a block expr is read whole: "
            + rules.get("LedgerRefusingCalls"));
    }

    @Test
    void anAlertFileInAnotherLayoutIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AlertRules.parse(List.of("expr: up == 0")));
    }

    /** Every series the files query appears once a call, a refusal, a Watch and a GC have happened. */
    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsOneTheServerExports() throws Exception {
        ServerSettings d = ServerSettings.defaults().withPort(0).withMetricsPort(0);
        ServerSettings settings = d.withLedger(d.ledger().withStorage(StorageConfig.files(dir.resolve("data"))
            .withSegmentBytes(StorageConfig.MIN_SEGMENT_BYTES).withDiskBudgetBytes(4L * StorageConfig.MIN_SEGMENT_BYTES)));
        LedgerServer server = LedgerServer.start(NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), settings);
        ManagedChannel channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(),
            server.port()).usePlaintext().build();
        try {
            ContextServiceGrpc.ContextServiceBlockingStub stub = ContextServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
            stub.append(AppendRequest.newBuilder().setContextId("c").build());
            assertThrows(StatusRuntimeException.class, () -> stub.append(AppendRequest.newBuilder().build()));
            Iterator<?> watch = stub.watch(WatchRequest.newBuilder().setContextId("c").build());
            watch.next();

            URI metrics = URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics");
            Set<String> referenced = new TreeSet<>(Dashboard.read(DASHBOARD).metricNames());
            referenced.addAll(AlertRules.metricNames(AlertRules.read(ALERTS)));
            Set<String> missing = missing(metrics, referenced);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!missing.isEmpty() && System.nanoTime() - deadline < 0) {
                System.gc(); // jvm_gc_pause_seconds appears with the first GC the JVM reports
                Thread.sleep(50);
                missing = missing(metrics, referenced);
            }
            assertEquals(Set.of(), missing, "queried but not exported");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, DashboardMain.run(new String[] {"check", "--metrics", metrics.toString(), "--dashboard",
                DASHBOARD.toString(), "--alerts", ALERTS.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err), out.toString(StandardCharsets.UTF_8));
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.close();
        }
        assertTrue(Files.exists(dir.resolve("data")));
    }

    private static Set<String> missing(URI metrics, Set<String> referenced) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).timeout(
            java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> missing = new TreeSet<>(referenced);
        PromText.parse(body).forEach(s -> missing.remove(s.name()));
        return missing;
    }
}
