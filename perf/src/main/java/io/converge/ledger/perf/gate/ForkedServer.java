package io.converge.ledger.perf.gate;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server main run in a child JVM, as an operator runs it: {@code java} of this JVM's
 * installation, this JVM's class path (the perf jar when run with {@code -jar}), configured
 * by its environment alone, on a port the OS chooses ({@code GRPC_PORT=0}), with records in
 * memory ({@code LEDGER_STORAGE=memory}, the embedded defaults the gate measured in one JVM
 * before) within a budget of {@value #MEMORY_BUDGET_BYTES} bytes, and none of this process's
 * own {@code LEDGER_*} variables.
 *
 * <p>The child's stdout and stderr are read on a daemon thread, so the child never blocks
 * on a full pipe; the last {@value #KEPT_LINES} lines are kept for error messages. Every wait
 * is bounded. A child never outlives this JVM's orderly exit (a shutdown hook kills it; a
 * SIGKILL of this JVM leaves it to whoever kills the process group, as CI does).
 *
 * <p>{@link #start}, {@link #awaitPort} and {@link #close} are for one thread.
 */
final class ForkedServer implements AutoCloseable {
    /** How long a child may take from its start to listening (a JVM's start on a busy 2-core machine). */
    static final long LISTEN_SECONDS = 30;
    /** How long a child may take to exit after SIGTERM, and again after SIGKILL. */
    static final long EXIT_SECONDS = 20;
    static final int KEPT_LINES = 40;
    /** Room for the records the ledger keeps over a whole gate run (~150 B per 64 B entry, a few GB at most). */
    static final long MEMORY_BUDGET_BYTES = 4L << 30;
    private static final String MAX_DIRECT_MEMORY = "-XX:MaxDirectMemorySize=5g";
    /** The main's listening line, in the ledger's and the no-op's wording. */
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    private final String name;
    private final Process process;
    private final Deque<String> lastLines = new ArrayDeque<>(); // guarded by itself
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final long listenDeadline;
    private final Thread reader;
    private final Thread reaper;

    private ForkedServer(String name, Process process) {
        this.name = name;
        this.process = process;
        this.listenDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LISTEN_SECONDS);
        this.reader = new Thread(this::readOutput, "forked-" + name + "-output");
        this.reaper = new Thread(process::destroyForcibly, "forked-" + name + "-reaper");
    }

    /**
     * Starts {@code mainClass} with {@code mainArgs} in a child JVM, with {@code env} added to
     * its environment (such as {@code LEDGER_MODE}); returns without waiting for it to listen.
     *
     * @param name what the child is called in messages and thread names
     */
    static ForkedServer start(String name, String mainClass, List<String> mainArgs, Map<String, String> env)
        throws IOException {
        List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            MAX_DIRECT_MEMORY, "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(mainArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(key -> key.startsWith("LEDGER_") || key.equals("GRPC_PORT"));
        pb.environment().put("GRPC_PORT", "0");
        pb.environment().put("LEDGER_STORAGE", "memory");
        pb.environment().put("LEDGER_MEMORY_BUDGET_BYTES", Long.toString(MEMORY_BUDGET_BYTES));
        pb.environment().putAll(env);
        ForkedServer server = new ForkedServer(name, pb.start());
        Runtime.getRuntime().addShutdownHook(server.reaper);
        server.reader.setDaemon(true);
        server.reader.start();
        return server;
    }

    /**
     * Waits until the child says it listens, at most {@value #LISTEN_SECONDS} s from its start.
     *
     * @return its port
     * @throws IllegalStateException when it exited or stayed silent, with its last lines of output
     */
    int awaitPort() throws InterruptedException {
        try {
            return port.get(Math.max(0, listenDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the " + name + " server did not listen within " + LISTEN_SECONDS
                + " s" + lastOutput());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** The child's process, alive or not. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The child's last lines of output so far, as a block to append to a message. */
    String lastOutput() {
        synchronized (lastLines) {
            return "\n--- last lines of the " + name + " server (pid " + process.pid() + ") ---\n"
                + String.join("\n", lastLines) + "\n---";
        }
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (lastLines) {
                    if (lastLines.size() == KEPT_LINES) {
                        lastLines.removeFirst();
                    }
                    lastLines.addLast(line);
                }
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // the pipe broke: the child is gone or going, which the waits below report
        }
        String status;
        try {
            status = process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS) ? "exited with status " + process.exitValue()
                : "closed its output";
        } catch (InterruptedException e) {
            status = "closed its output";
        }
        port.completeExceptionally(new IllegalStateException("the " + name + " server " + status
            + " without listening" + lastOutput()));
    }

    /**
     * SIGTERM (through the process handle: {@link Process#destroy()} would also close our end
     * of the child's output), at most {@value #EXIT_SECONDS} s for the child to exit, then
     * SIGKILL and as long again. Returns once the child is gone.
     *
     * @throws IllegalStateException when even SIGKILL did not end it in time
     */
    @Override
    public void close() {
        try {
            process.toHandle().destroy();
            if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)
                && !process.destroyForcibly().waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the " + name + " server (pid " + process.pid()
                    + ") outlived SIGKILL by " + EXIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // this JVM is exiting: the hook runs anyway, and finds the child gone
            }
        }
    }
}
