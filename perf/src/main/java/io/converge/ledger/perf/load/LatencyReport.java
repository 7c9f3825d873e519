package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a {@link LoadResult} for people (a few labelled lines, errors shouted) and for
 * scripts: one {@code RESULT key=value ...} line, keys in a fixed order, latencies in µs
 * with one decimal. Stateless.
 */
final class LatencyReport {
    /** The percentiles reported, with the key suffix each has in the RESULT line. */
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    private static final String[] KEYS = {"p50", "p90", "p99", "p999", "p9999"};

    private LatencyReport() {
    }

    static void print(LoadResult r, PrintStream out) {
        LoadOptions o = r.options();
        out.println("converge-ledger load: " + describeMode(o) + ", target " + o.host() + ":" + o.port());
        out.printf(Locale.ROOT, "  payload %d B, %d context(s) %s.., %d watcher(s), warmup %s, measured %s%n",
            o.payloadBytes(), o.contexts(), o.contextId(0), o.watchers(), LoadOptions.format(o.warmup()),
            LoadOptions.format(o.duration()));
        if (o.batched()) {
            out.printf(Locale.ROOT, "entries: %d measured (%d in all, warmup included), throughput %.1f entries/s%n",
                r.measuredAppends(), r.totalAppends(), r.throughputPerSecond());
            out.printf(Locale.ROOT, "batches: %d measured (%d in all), %.1f batches/s of %d entries%n",
                r.measuredBatches(), r.totalBatches(), r.batchesPerSecond(), o.batch());
        } else {
            out.printf(Locale.ROOT, "appends: %d measured (%d in all, warmup included), throughput %.1f appends/s%n",
                r.measuredAppends(), r.totalAppends(), r.throughputPerSecond());
        }
        String what = o.batched() ? "per-entry latency" : "append latency";
        String label = o.mode() == LoadOptions.Mode.OPEN ? what + ", from intended start (corrected)" : what;
        out.println(label + ": " + percentiles(r.appendLatency()));
        if (r.uncorrectedLatency() != null) {
            out.println(what + ", from actual send (uncorrected): " + percentiles(r.uncorrectedLatency()));
            out.println(o.batched()
                ? "open loop: " + r.capWaits() + " batches waited for --window " + o.window()
                    + " or the stream's readiness, " + r.unsent() + " intended batches given up, sender thread CPU "
                    + micros(r.senderCpuNanosPerSend()) + " µs per batch"
                : "open loop: " + r.capWaits() + " sends waited for --max-outstanding " + o.maxOutstanding()
                    + ", " + r.unsent() + " intended sends given up, sender thread CPU "
                    + micros(r.senderCpuNanosPerSend()) + " µs per send");
        }
        if (r.watchLatency() != null) {
            out.printf(Locale.ROOT, "watch: %.1f entries/s delivered (all watchers), %d/%d watchers complete%n",
                r.watchDeliveries() * 1e9 / r.measuredNanos(), r.completeWatchers(), r.watchers().size());
            out.printf(Locale.ROOT, "watch: %.1f entries/s received (all watchers, first entry to last), %d gap(s)%n",
                WatchSubscribers.receivedPerSecond(r.watchers()),
                r.watchers().stream().mapToLong(WatchSubscribers.WatcherReport::gaps).sum());
            out.println("watch latency, append send to watch receive: " + percentiles(r.watchLatency()));
            r.watchers().stream().filter(w -> !w.complete()).limit(20).forEach(w -> out.println(
                "  INCOMPLETE watcher " + w.watcher() + " of context " + w.context() + ": received " + w.received()
                    + " of " + w.expected() + ", " + w.gaps() + " gap(s)"
                    + (w.firstGap() == null ? "" : " (first: " + w.firstGap() + ")")
                    + (w.failure() == null ? "" : ", stream failed: " + w.failure())));
        }
        if (r.clientCpuNanos() >= 0) {
            out.printf(Locale.ROOT, "client CPU: %.2f cores busy on average in the measured phase%n",
                clientCores(r));
        }
        if (r.serverCpuNanos() >= 0 && r.measuredAppends() > 0) {
            out.printf(Locale.ROOT, "server CPU (process %d): %.2f cores busy on average, %.3f µs per entry; by thread:",
                r.options().serverPid(), serverCores(r), serverNanosPerEntry(r) / 1000.0);
            r.serverCpu().groups().forEach((group, nanos) -> out.printf(Locale.ROOT, " %s %.3f", group,
                (double) nanos / r.measuredAppends() / 1000.0));
            out.println();
        }
        if (r.ok()) {
            out.println("errors: none");
        } else {
            out.println("!!! THIS RUN HAD ERRORS: " + errorText(r) + " !!!");
        }
        r.warnings().forEach(w -> out.println("WARNING: " + w));
        if (r.serverSide() != null) {
            out.println("server-side:");
            r.serverSide().lines().forEach(line -> out.println("  " + line));
        }
    }

    /** The one machine-readable line, e.g. {@code RESULT mode=closed callers=50 ... status=ok}. */
    static String resultLine(LoadResult r) {
        LoadOptions o = r.options();
        StringBuilder b = new StringBuilder("RESULT");
        kv(b, "mode", o.mode().name().toLowerCase(Locale.ROOT));
        if (o.batched()) {
            kv(b, "rpc", o.rpc().name().toLowerCase(Locale.ROOT));
            kv(b, "batch", Integer.toString(o.batch()));
            kv(b, "streams", Integer.toString(o.streams()));
            kv(b, "window", Integer.toString(o.window()));
        }
        kv(b, "target", o.host() + ":" + o.port());
        kv(b, "callers", Integer.toString(o.callers()));
        kv(b, "rate", number(o.rate()));
        kv(b, "channels", Integer.toString(o.channels()));
        kv(b, "contexts", Integer.toString(o.contexts()));
        kv(b, "payload", Integer.toString(o.payloadBytes()));
        kv(b, "watchers", Integer.toString(o.watchers()));
        kv(b, "warmup_s", number(o.warmup().toNanos() / 1e9));
        kv(b, "duration_s", number(o.duration().toNanos() / 1e9));
        kv(b, "appends", Long.toString(r.measuredAppends()));
        kv(b, "appends_total", Long.toString(r.totalAppends()));
        kv(b, "throughput", number(r.throughputPerSecond()));
        if (o.batched()) {
            kv(b, "batches", Long.toString(r.measuredBatches()));
            kv(b, "batches_per_s", number(r.batchesPerSecond()));
        }
        latencies(b, "", r.appendLatency());
        if (r.uncorrectedLatency() != null) {
            latencies(b, "uncorrected_", r.uncorrectedLatency());
            kv(b, "cap_waits", Long.toString(r.capWaits()));
            kv(b, "unsent", Long.toString(r.unsent()));
            kv(b, "sender_cpu_us_per_send", micros(r.senderCpuNanosPerSend()));
        }
        if (r.watchLatency() != null) {
            kv(b, "watch_delivered_per_s", number(r.watchDeliveries() * 1e9 / r.measuredNanos()));
            kv(b, "watch_received_per_s", number(WatchSubscribers.receivedPerSecond(r.watchers())));
            latencies(b, "watch_", r.watchLatency());
            kv(b, "watchers_complete", r.completeWatchers() + "/" + r.watchers().size());
        }
        kv(b, "client_cpu_cores", r.clientCpuNanos() < 0 ? "-1" : number(clientCores(r)));
        if (r.options().serverPid() > 0) {
            kv(b, "server_cpu_cores", r.serverCpuNanos() < 0 ? "-1" : number(serverCores(r)));
            kv(b, "server_cpu_us_per_entry", r.serverCpuNanos() < 0 || r.measuredAppends() == 0 ? "-1"
                : String.format(Locale.ROOT, "%.3f", serverNanosPerEntry(r) / 1000.0));
        }
        kv(b, "errors", Long.toString(r.errorCount()));
        kv(b, "unanswered", Long.toString(r.unanswered()));
        kv(b, "status", r.ok() ? "ok" : "FAILED");
        return b.toString();
    }

    static String errorText(LoadResult r) {
        String byCode = r.errors().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
        StringBuilder b = new StringBuilder(r.errorCount()
            + (r.options().batched() ? " failed call(s) or wrong batch response(s)" : " failed Append(s)"));
        if (!byCode.isEmpty()) {
            b.append(" (").append(byCode).append(')');
        }
        b.append(", ").append(r.unanswered()).append(" unanswered");
        if (!r.watchers().isEmpty()) {
            b.append(", ").append(r.watchers().size() - r.completeWatchers()).append(" incomplete watcher(s)");
        }
        return b.toString();
    }

    /** {@code p50 12.3 µs, ... max 456.7 µs (n=1234)}. */
    static String percentiles(Histogram h) {
        StringBuilder b = new StringBuilder();
        for (double p : PERCENTILES) {
            b.append('p').append(number(p)).append(' ').append(micros(h.getValueAtPercentile(p))).append(" µs, ");
        }
        return b.append("max ").append(micros(h.getMaxValue())).append(" µs (n=").append(h.getTotalCount())
            .append(')').toString();
    }

    /** The fixed percentile points (and max) of {@code h}, by RESULT key suffix, in µs. */
    static Map<String, String> points(Histogram h) {
        Map<String, String> points = new LinkedHashMap<>();
        for (int i = 0; i < PERCENTILES.length; i++) {
            points.put(KEYS[i], micros(h.getValueAtPercentile(PERCENTILES[i])));
        }
        points.put("max", micros(h.getMaxValue()));
        return points;
    }

    private static void latencies(StringBuilder b, String prefix, Histogram h) {
        points(h).forEach((key, value) -> kv(b, prefix + key + "_us", value));
    }

    private static double clientCores(LoadResult r) {
        return (double) r.clientCpuNanos() / r.measuredNanos();
    }

    private static double serverCores(LoadResult r) {
        return (double) r.serverCpuNanos() / r.measuredNanos();
    }

    /** The server's CPU time in the measured phase over the entries acked in it, in ns. */
    private static double serverNanosPerEntry(LoadResult r) {
        return (double) r.serverCpuNanos() / r.measuredAppends();
    }

    private static String describeMode(LoadOptions o) {
        if (o.batched()) {
            String rpc = o.rpc() == LoadOptions.Rpc.STREAM ? "AppendStream, " + o.streams() + " stream(s)"
                : "AppendBatch, " + o.streams() + " caller(s)";
            String shape = rpc + " x window " + o.window() + " x batch " + o.batch() + " over " + o.channels()
                + " channel(s)";
            return o.mode() == LoadOptions.Mode.OPEN ? "open loop, " + number(o.rate()) + " entries/s, " + shape
                : "closed loop, " + shape;
        }
        return o.mode() == LoadOptions.Mode.OPEN
            ? "open loop, " + number(o.rate()) + " appends/s over " + o.channels() + " channel(s)"
            : "closed loop, " + o.callers() + " callers over " + o.channels() + " channel(s)";
    }

    private static String micros(long nanos) {
        if (nanos < 0) {
            return "-1";
        }
        return String.format(Locale.ROOT, "%.1f", nanos / HgrmWriter.NANOS_PER_MICRO);
    }

    /** At most two decimals, no trailing zeros: {@code 2000}, {@code 0.5}, {@code 99.99}. */
    private static String number(double d) {
        String s = String.format(Locale.ROOT, "%.2f", d);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static void kv(StringBuilder b, String key, String value) {
        b.append(' ').append(key).append('=').append(value);
    }
}
