package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.ledger.transport.logging.MiniJson;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server main as a real process ({@link LedgerProcess}): configured from the environment, stopped by SIGTERM. */
class LedgerServerMainTest {
    private static final Pattern METRICS_ON = Pattern.compile("metrics on http://localhost:(\\d+)/metrics");

    @TempDir
    Path tempDir;

    @Test
    void sigtermStopsTheServerGracefullyAndEndsOpenWatchStreamsWithUnavailable() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"), Map.of())) {
            assertEquals(1, server.blocking().append(AppendRequest.newBuilder().setContextId("main").build())
                .getEntry().getSequence());

            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            CountDownLatch firstEvent = new CountDownLatch(1);
            CompletableFuture<Void> watchEnded = new CompletableFuture<>();
            server.async().watch(WatchRequest.newBuilder().setContextId("main").build(), new StreamObserver<>() {
                @Override
                public void onNext(WatchEvent value) {
                    events.add(value);
                    firstEvent.countDown();
                }

                @Override
                public void onError(Throwable t) {
                    watchEnded.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    watchEnded.complete(null);
                }
            });
            assertTrue(firstEvent.await(10, TimeUnit.SECONDS), "the watch replays the stored entry");
            assertEquals(1, events.get(0).getEntry().getSequence());

            assertEquals(LedgerProcess.EXIT_ON_SIGTERM, server.terminate(), "the server exits after SIGTERM");
            // Ended honestly: UNAVAILABLE naming the sequence to resume after, never OK (issue 10).
            ExecutionException ended = assertThrows(ExecutionException.class, () -> watchEnded.get(10, TimeUnit.SECONDS));
            Status status = Status.fromThrowable(ended.getCause());
            assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
            assertEquals("the server is shutting down; resume after sequence 1", status.getDescription());
            assertTrue(server.output().stream().anyMatch(l -> l.contains("stopped")),
                "shutdown ran to its end: " + server.outputText());
        }
    }

    @Test
    void withLedgerMetricsPortSetTheServerSaysWhereItServesMetricsAndServesThem() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"),
            Map.of("LEDGER_METRICS_PORT", "0"))) {
            int metricsPort = Integer.parseInt(server.awaitLine(METRICS_ON).group(1));
            String configuration = server.awaitLine(Pattern.compile("converge-ledger: configuration: .*")).group();
            for (String pair : List.of(" mode=ledger", " port=0", " bind_address=0.0.0.0", " storage=files",
                " fsync=interval", " metrics=127.0.0.1:any", " tls=off", " auth=off", " log_level=info",
                " log_format=text")) {
                assertTrue(configuration.contains(pair), pair + " in " + configuration);
            }
            assertTrue(new MetricsClient(metricsPort).scrape().containsKey("ledger_appends_total"));
            assertEquals(LedgerProcess.EXIT_ON_SIGTERM, server.terminate(), "the server exits after SIGTERM");
        }
    }

    @Test
    void aBadEnvironmentValueStopsStartupWithAMessageNamingTheVariable() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"),
            Map.of("GRPC_PORT", "not-a-port"))) {
            assertEquals(2, server.awaitExit(), server.outputText());
            assertTrue(server.outputText().contains("GRPC_PORT=not-a-port"), server.outputText());
        }
    }

    @Test
    void withLedgerLogFormatJsonEveryLineTheServerPrintsIsOneJsonObject() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"),
            Map.of("LEDGER_LOG_FORMAT", "json", "LEDGER_LOG_LEVEL", "debug"))) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> server.blocking().append(AppendRequest.newBuilder().setContextId("").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            server.awaitLine(Pattern.compile("Append answered INVALID_ARGUMENT"));
            assertEquals(LedgerProcess.EXIT_ON_SIGTERM, server.terminate(), "the server exits after SIGTERM");

            List<Map<String, Object>> records = new java.util.ArrayList<>();
            for (String line : server.output()) {
                Map<String, Object> record = MiniJson.parseObject(line);
                assertEquals(List.of("time", "level", "logger", "thread", "message"),
                    List.copyOf(record.keySet()).subList(0, 5), line);
                assertTrue(List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(record.get("level")), line);
                java.time.Instant.parse((String) record.get("time"));
                records.add(record);
            }
            assertTrue(records.stream().anyMatch(r -> r.get("logger").equals("converge-ledger")
                && ((String) r.get("message")).startsWith("configuration: ")), server.outputText());
            assertTrue(records.stream().anyMatch(r -> r.get("logger").equals("converge-ledger")
                && r.get("message").equals("stopped")), server.outputText());
            assertTrue(records.stream().anyMatch(r -> r.get("level").equals("INFO")
                && ((String) r.get("message")).contains("ContextService/Append answered INVALID_ARGUMENT")),
                server.outputText());
            assertTrue(records.stream().anyMatch(r -> r.get("level").equals("DEBUG")
                && ((String) r.get("logger")).startsWith("io.netty.")), "Netty logs through JUL into the same"
                + " format: " + server.outputText());
        }
    }

    @Test
    void aBadLogLevelStopsStartupWithAMessageNamingTheVariable() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"),
            Map.of("LEDGER_LOG_LEVEL", "loud"))) {
            assertEquals(2, server.awaitExit(), server.outputText());
            assertTrue(server.outputText().contains("LEDGER_LOG_LEVEL=loud is not one of error, warn, info, debug, trace"),
                server.outputText());
        }
    }

    @Test
    void aBadLogFormatStopsStartupWithAMessageNamingTheVariable() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"),
            Map.of("LEDGER_LOG_FORMAT", "xml"))) {
            assertEquals(2, server.awaitExit(), server.outputText());
            assertTrue(server.outputText().contains("LEDGER_LOG_FORMAT=xml is not one of text, json"),
                server.outputText());
        }
    }
}
