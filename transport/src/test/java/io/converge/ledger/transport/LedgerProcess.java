package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server main ({@link LedgerServerMain}) in a child JVM on a data directory, as an
 * operator runs it: configured only by its environment, on a port the OS chooses, its
 * stdout and stderr collected line by line. Every wait is bounded; {@link #close()}
 * kills the child whatever state it is in. One test drives it; its channel may be shared by
 * client threads.
 */
final class LedgerProcess implements AutoCloseable {
    /** How long a child may take from its start to serving (JVM start and recovery on a 2-core machine). */
    static final long START_SECONDS = 30;
    /** How long a child may take to exit once told to. */
    static final long EXIT_SECONDS = 20;
    /** The exit status of a JVM that ran its shutdown hooks on SIGTERM (128 + 15). */
    static final int EXIT_ON_SIGTERM = 143;

    /** The main's listening line, in the text or the JSON log format. */
    private static final Pattern LISTENING = Pattern.compile("(?:converge-ledger: |\"message\":\")listening on port (\\d+)");
    private static final Pattern RECOVERED = Pattern.compile("recovered (\\d+) entries of (\\d+) contexts");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread reader;
    private ManagedChannel channel;

    private LedgerProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::readOutput, "ledger-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the server main with records in files under {@code dataDir}, on a port the OS
     * chooses, with {@code env} added. No {@code LEDGER_*} variable of the test's own
     * environment reaches the child.
     */
    static LedgerProcess start(Path dataDir, Map<String, String> env) throws IOException {
        return start(dataDir, env, List.of());
    }

    /** As {@link #start(Path, Map)}, with {@code jvmArgs} (such as the --add-opens cluster mode needs) before the main. */
    static LedgerProcess start(Path dataDir, Map<String, String> env, List<String> jvmArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-Xmx512m");
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LedgerServerMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(name -> name.startsWith("LEDGER_") || name.equals("GRPC_PORT"));
        pb.environment().put("GRPC_PORT", "0");
        pb.environment().put("LEDGER_STORAGE", "files");
        pb.environment().put("LEDGER_DATA_DIR", dataDir.toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        return new LedgerProcess(pb.start());
    }

    /**
     * Waits until the server says it listens, which it does once recovery is done.
     *
     * @return its port
     * @throws AssertionError when it exits or stays silent for {@link #START_SECONDS}, with its output
     */
    int awaitListening() throws InterruptedException {
        try {
            return port.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the server did not listen within " + START_SECONDS + " s: " + outputText());
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        }
    }

    /** The channel to the listening server, opened on first use; closed with this. */
    synchronized ManagedChannel channel() throws InterruptedException {
        if (channel == null) {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", awaitListening()).usePlaintext().build();
        }
        return channel;
    }

    /** A blocking stub whose every call has the standard deadline. */
    ContextServiceGrpc.ContextServiceBlockingStub blocking() throws InterruptedException {
        return ContextServiceGrpc.newBlockingStub(channel())
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    ContextServiceGrpc.ContextServiceStub async() throws InterruptedException {
        return ContextServiceGrpc.newStub(channel());
    }

    /** What grpc.health.v1 answers for {@code service} ("" for the server as a whole). */
    ServingStatus health(String service) throws InterruptedException {
        return HealthGrpc.newBlockingStub(channel()).withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    /**
     * What the listening line says recovery found: {entries, contexts}.
     *
     * @throws AssertionError when the server has not said it
     */
    long[] recovered() {
        for (String line : output) {
            Matcher m = RECOVERED.matcher(line);
            if (line.contains("listening on port") && m.find()) {
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        throw new AssertionError("the server did not say what it recovered: " + outputText());
    }

    /** SIGKILL: the server gets no chance to do anything. Returns once the child is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not die within " + EXIT_SECONDS + " s of SIGKILL");
        }
        closeChannel();
    }

    /**
     * SIGTERM (through the process handle: {@link Process#destroy()} would also close our end
     * of the child's output), then waits for the exit.
     *
     * @return the exit status
     */
    int terminate() throws InterruptedException {
        process.toHandle().destroy();
        return awaitExit();
    }

    /**
     * Waits for the child to exit by itself and for its last line of output.
     *
     * @return the exit status
     */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not exit within " + EXIT_SECONDS + " s: " + outputText());
        }
        reader.join(TimeUnit.SECONDS.toMillis(EXIT_SECONDS));
        closeChannel();
        return process.exitValue();
    }

    /** Sends the child {@code signal} (such as {@code HUP}) with {@code kill}. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(EXIT_SECONDS, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the child to print a line matching {@code pattern}.
     *
     * @return that line's match
     * @throws AssertionError when no such line comes within {@link #START_SECONDS}, with the output
     */
    Matcher awaitLine(Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() - deadline < 0) {
            for (String line : output) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the server printed no line like " + pattern + " within " + START_SECONDS + " s: "
            + outputText());
    }

    /** Every line the child printed so far. */
    List<String> output() {
        return new ArrayList<>(output);
    }

    String outputText() {
        return "\n--- server output ---\n" + String.join("\n", output) + "\n---";
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            output.add("(reading the output failed: " + e + ")");
        }
        port.completeExceptionally(new AssertionError("the server exited without listening: " + outputText()));
    }

    private synchronized void closeChannel() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
            channel = null;
        }
    }

    /** Kills the child if it still runs and closes the channel. */
    @Override
    public void close() {
        try {
            closeChannel();
            process.destroyForcibly().waitFor(EXIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
