package io.converge.ledger.transport.metrics;

import io.converge.ledger.core.LatencyRecorder;
import io.converge.ledger.core.LedgerLatency;
import org.HdrHistogram.Histogram;

/**
 * The text of {@code GET /latency}: one line per server-side histogram, from its current
 * window (the values since the last {@code /latency/reset}), in nanoseconds:
 * <pre>
 * publish_to_sequenced_ns count=N p50=.. p90=.. p99=.. p99.9=.. p99.99=.. max=..
 * publish_to_reply_ns count=N p50=.. p90=.. p99=.. p99.9=.. p99.99=.. max=..
 * </pre>
 * The load generator parses exactly this: names, order and format are a contract. An empty
 * window reads {@code count=0} and zeros. Stateless.
 */
final class LatencyReport {
    private LatencyReport() {
    }

    static String of(LedgerLatency latency) {
        StringBuilder out = new StringBuilder(256);
        line(out, "publish_to_sequenced_ns", latency.publishToSequenced());
        line(out, "publish_to_reply_ns", latency.publishToReply());
        return out.toString();
    }

    /** Starts a new window for both histograms. */
    static void reset(LedgerLatency latency) {
        latency.publishToSequenced().resetWindow();
        latency.publishToReply().resetWindow();
    }

    private static void line(StringBuilder out, String name, LatencyRecorder recorder) {
        Histogram h = recorder.window();
        long count = h.getTotalCount();
        out.append(name)
            .append(" count=").append(count)
            .append(" p50=").append(h.getValueAtPercentile(50))
            .append(" p90=").append(h.getValueAtPercentile(90))
            .append(" p99=").append(h.getValueAtPercentile(99))
            .append(" p99.9=").append(h.getValueAtPercentile(99.9))
            .append(" p99.99=").append(h.getValueAtPercentile(99.99))
            .append(" max=").append(count == 0 ? 0 : h.getMaxValue())
            .append('\n');
    }
}
