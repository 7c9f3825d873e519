package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server main as a real process: configured from the environment, stopped by SIGTERM. */
class LedgerServerMainTest {
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
    private static final Pattern METRICS_ON = Pattern.compile("metrics on http://localhost:(\\d+)/metrics");

    @TempDir
    Path tempDir;

    @Test
    void sigtermStopsTheServerGracefullyAndCompletesOpenWatchStreams() throws Exception {
        Process process = startMain("0");
        ManagedChannel channel = null;
        try {
            List<String> output = new CopyOnWriteArrayList<>();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> readOutput(process, output, LISTENING, port), "server-output");
            reader.setDaemon(true);
            reader.start();
            int boundPort = port.get(30, TimeUnit.SECONDS);

            channel = NettyChannelBuilder.forAddress("127.0.0.1", boundPort).usePlaintext().build();
            var blocking = ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            assertEquals(1, blocking.append(AppendRequest.newBuilder().setContextId("main").build())
                .getEntry().getSequence());

            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            CountDownLatch firstEvent = new CountDownLatch(1);
            CompletableFuture<Void> watchEnded = new CompletableFuture<>();
            ContextServiceGrpc.newStub(channel).watch(WatchRequest.newBuilder().setContextId("main").build(),
                new StreamObserver<>() {
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

            process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits after SIGTERM");
            watchEnded.get(10, TimeUnit.SECONDS); // completed with OK, not an error
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(output.stream().anyMatch(l -> l.contains("stopped")), "shutdown ran to its end: " + output);
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withLedgerMetricsPortSetTheServerSaysWhereItServesMetricsAndServesThem() throws Exception {
        Process process = startMain(Map.of("GRPC_PORT", "0", "LEDGER_METRICS_PORT", "0"));
        try {
            List<String> output = new CopyOnWriteArrayList<>();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> readOutput(process, output, METRICS_ON, port), "server-output");
            reader.setDaemon(true);
            reader.start();
            int metricsPort = port.get(30, TimeUnit.SECONDS);
            assertTrue(new MetricsClient(metricsPort).scrape().containsKey("ledger_appends_total"));

            process.toHandle().destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits after SIGTERM");
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBadEnvironmentValueStopsStartupWithAMessageNamingTheVariable() throws Exception {
        Process process = startMain("not-a-port");
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, process.exitValue(), output);
            assertTrue(output.contains("GRPC_PORT=not-a-port"), output);
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts the server main in a new JVM with {@code GRPC_PORT} set, its stderr merged into stdout. */
    private Process startMain(String grpcPort) throws java.io.IOException {
        return startMain(Map.of("GRPC_PORT", grpcPort));
    }

    /**
     * Starts the server main in a new JVM with {@code env} added to its environment, its data
     * directory under the test's own, its stderr merged into stdout.
     */
    private Process startMain(Map<String, String> env) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-cp", System.getProperty("java.class.path"),
            LedgerServerMain.class.getName());
        pb.environment().put("LEDGER_DATA_DIR", tempDir.resolve("ledger-data").toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** Collects the server's output; completes {@code port} with group 1 of the first line matching {@code portLine}. */
    private static void readOutput(Process process, List<String> output, Pattern portLine,
                                   CompletableFuture<Integer> port) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.add(line);
                Matcher m = portLine.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
            port.completeExceptionally(new AssertionError("the server printed no line like " + portLine + ": " + output));
        } catch (java.io.IOException e) {
            port.completeExceptionally(e);
        }
    }
}
