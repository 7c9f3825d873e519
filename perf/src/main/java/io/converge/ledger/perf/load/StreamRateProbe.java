package io.converge.ledger.perf.load;

import io.grpc.health.v1.HealthCheckRequest;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop AppendStream entries per second against one server, for callers outside the
 * load generator (the perf gate): the {@code load --rpc stream} run's own {@link StreamDriver},
 * channels and prebuilt batches, without its report, histograms' output or warmup. Each
 * {@link #entriesPerSecond} is one run of the driver over the same connections, which are
 * opened and checked (a health call each) when the probe is. Not thread-safe: one
 * measurement at a time; {@link #close} waits at most a few seconds.
 */
public final class StreamRateProbe implements AutoCloseable {
    private static final long PREFLIGHT_DEADLINE_SECONDS = 10;

    private final LoadOptions options;
    private final ClientChannels channels;
    private final AppendBatches batches;

    private StreamRateProbe(LoadOptions options) {
        this.options = options;
        this.batches = new AppendBatches(options, new AppendRequests(options));
        this.channels = new ClientChannels(options);
        try {
            for (int c = 0; c < channels.size(); c++) {
                channels.health(c).withDeadlineAfter(PREFLIGHT_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            }
        } catch (RuntimeException e) {
            channels.close();
            throw e;
        }
    }

    /**
     * Connects to {@code host:port} as {@code load --rpc stream --batch B --payload P --streams S
     * --window W --channels C --run-id RUN} would (one context, {@code load-RUN-0}).
     *
     * @throws IllegalArgumentException when the load generator would refuse those options
     * @throws io.grpc.StatusRuntimeException when a channel's health call is not answered in 10 s
     */
    public static StreamRateProbe connect(String host, int port, int batch, int payloadBytes, int streams, int window,
                                          int channelCount, String runId) {
        try {
            return new StreamRateProbe(LoadOptions.parse("--target", host + ":" + port, "--rpc", "stream",
                "--batch", Integer.toString(batch), "--payload", Integer.toString(payloadBytes),
                "--streams", Integer.toString(streams), "--window", Integer.toString(window),
                "--channels", Integer.toString(channelCount), "--run-id", runId));
        } catch (BadOptionsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Runs the streams for {@code nanos}, then until every batch sent is acked (at most
     * {@link AppendDriver#DRAIN_WAIT_NANOS}), and returns the entries acked per second of
     * that whole time.
     *
     * @throws IllegalStateException when a stream failed, an ack was wrong, or a batch went unanswered
     */
    public double entriesPerSecond(long nanos) throws InterruptedException {
        AppendOutcomes outcomes = new AppendOutcomes(options.contexts());
        StreamDriver driver = new StreamDriver(options, channels, batches, outcomes, new LatencyRecorder(), null);
        long start = System.nanoTime();
        long unanswered = driver.run(new MeasurementWindow(start, start, start + nanos));
        long elapsed = System.nanoTime() - start;
        Map<String, Long> errors = outcomes.errors();
        if (unanswered > 0 || !errors.isEmpty()) {
            throw new IllegalStateException("AppendStream run failed: errors " + errors + ", " + unanswered
                + " batches unanswered");
        }
        return outcomes.ok() * 1e9 / elapsed;
    }

    @Override
    public void close() {
        channels.close();
    }
}
