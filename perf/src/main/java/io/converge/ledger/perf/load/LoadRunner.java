package io.converge.ledger.perf.load;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one load run end to end: connects (and checks the target answers), opens the
 * watchers, runs the driver through warmup and the measured phase, waits a bounded time
 * for the watchers to catch up, fetches the server's own figures, and closes everything
 * it opened. One run per instance, from one thread; a few auxiliary threads (named
 * {@code load-*}) live only as long as {@link #run}.
 */
final class LoadRunner {
    /** How long the watchers get to catch up after the last Append was answered. */
    static final long CATCH_UP_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long PREFLIGHT_DEADLINE_SECONDS = 10;

    private LoadRunner() {
    }

    /**
     * Runs {@code options}.
     *
     * @throws StatusRuntimeException when the target does not answer a first Get on every channel
     */
    static LoadResult run(LoadOptions options) throws InterruptedException {
        AppendOutcomes outcomes = new AppendOutcomes(options.contexts());
        LatencyRecorder appendLatency = new LatencyRecorder();
        LatencyRecorder uncorrected = new LatencyRecorder();
        LatencyRecorder watchLatency = new LatencyRecorder();
        List<String> warnings = new ArrayList<>();
        ScheduledExecutorService aux = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-aux");
            t.setDaemon(true);
            return t;
        });
        ServerMetricsClient metrics = options.serverMetrics() == null ? null
            : new ServerMetricsClient(options.serverMetrics());
        try (ClientChannels channels = new ClientChannels(options);
             WatchSubscribers watchers = new WatchSubscribers(watchLatency)) {
            for (int c = 0; c < channels.size(); c++) {
                // Connects every channel first. Any answer will do, UNIMPLEMENTED too: a server
                // without the health service (a test's fake) is still there.
                try {
                    channels.health(c).withDeadlineAfter(PREFLIGHT_DEADLINE_SECONDS, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                        throw e;
                    }
                }
            }
            watchers.open(options, channels);
            AppendRequests requests = new AppendRequests(options);
            boolean open = options.mode() == LoadOptions.Mode.OPEN;
            AppendDriver driver = switch (options.rpc()) {
                case UNARY -> open ? new OpenLoopDriver(options, channels, requests, outcomes, appendLatency, uncorrected)
                    : new ClosedLoopDriver(options, channels, requests, outcomes, appendLatency, aux);
                case BATCH -> new BatchCallerDriver(options, channels, new AppendBatches(options, requests), outcomes,
                    appendLatency, aux);
                case STREAM -> new StreamDriver(options, channels, new AppendBatches(options, requests), outcomes,
                    appendLatency, uncorrected);
            };

            MeasurementWindow window = MeasurementWindow.startingNow(options);
            watchers.measure(window);
            long serverPid = options.serverPid();
            ScheduledFuture<ServerCpu.Reading> serverCpuAtStart = aux.schedule(() -> ServerCpu.read(serverPid),
                window.measureFromNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
            ScheduledFuture<ServerCpu.Reading> serverCpuAtEnd = aux.schedule(() -> ServerCpu.read(serverPid),
                window.endNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
            ScheduledFuture<Long> cpuAtStart = aux.schedule(() -> {
                long cpu = processCpuNanos();
                if (metrics != null) {
                    Optional<String> warning = metrics.reset();
                    warning.ifPresent(w -> addWarning(warnings, "server metrics reset: " + w));
                }
                return cpu;
            }, window.measureFromNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
            ScheduledFuture<Long> cpuAtEnd = aux.schedule(LoadRunner::processCpuNanos,
                window.endNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);

            long unanswered = driver.run(window);
            if (unanswered > 0) {
                addWarning(warnings, unanswered + (options.batched() ? " batches" : " Appends") + " still unanswered "
                    + TimeUnit.NANOSECONDS.toSeconds(AppendDriver.DRAIN_WAIT_NANOS) + " s after the run ended");
            }
            if (!watchers.awaitCaughtUp(outcomes, CATCH_UP_NANOS)) {
                addWarning(warnings, "watchers did not all catch up within "
                    + TimeUnit.NANOSECONDS.toSeconds(CATCH_UP_NANOS) + " s");
            }
            String serverSide = null;
            if (metrics != null) {
                ServerMetricsClient.Outcome latency = metrics.latency();
                serverSide = latency.body();
                if (latency.warning() != null) {
                    addWarning(warnings, "server metrics: " + latency.warning());
                }
            }
            long cpuStart = settled(cpuAtStart);
            long cpuEnd = settled(cpuAtEnd);
            ServerCpu.Reading serverCpu = ServerCpu.Reading.between(settledReading(serverCpuAtStart),
                settledReading(serverCpuAtEnd));
            if (serverPid > 0 && serverCpu == null) {
                addWarning(warnings, "no CPU time of process " + serverPid + " in /proc: server CPU not reported");
            }
            Histogram watch = options.watchers() > 0 ? watchLatency.take() : null;
            return new LoadResult(options, window.measuredNanos(), outcomes.measuredOk(), outcomes.ok(),
                outcomes.measuredOkBatches(), outcomes.okBatches(),
                outcomes.errors(), unanswered, driver.capWaits(), driver.unsent(), driver.senderCpuNanosPerSend(),
                appendLatency.take(), open ? uncorrected.take() : null, watch,
                watchers.measuredDeliveries(), watchers.report(outcomes),
                cpuStart >= 0 && cpuEnd >= 0 ? cpuEnd - cpuStart : -1,
                serverCpu, serverSide,
                snapshot(warnings));
        } finally {
            aux.shutdownNow();
            aux.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The sample's value, waiting at most {@link ServerMetricsClient#TIMEOUT} and a second; -1 when it failed. */
    /** The reading, waiting as {@link #settled} does; null when it failed or there was none. */
    private static ServerCpu.Reading settledReading(ScheduledFuture<ServerCpu.Reading> sample)
        throws InterruptedException {
        try {
            return sample.get(ServerMetricsClient.TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private static long settled(ScheduledFuture<Long> sample) throws InterruptedException {
        try {
            return sample.get(ServerMetricsClient.TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        }
    }

    private static void addWarning(List<String> warnings, String warning) {
        synchronized (warnings) {
            warnings.add(warning);
        }
    }

    private static List<String> snapshot(List<String> warnings) {
        synchronized (warnings) {
            return List.copyOf(warnings);
        }
    }

    /** CPU time of this whole process, in ns, or -1 where the JVM does not report it. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
