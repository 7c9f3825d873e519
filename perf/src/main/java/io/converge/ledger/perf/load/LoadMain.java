package io.converge.ledger.perf.load;

import io.grpc.StatusRuntimeException;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code converge-ledger-perf.jar load [options]}: parses the options, runs the load,
 * prints the report, writes the result files and ends with the {@code RESULT} line.
 * Exit status: 0 for a clean run, 1 for a run with errors (failed or unanswered Appends,
 * incomplete watchers, an unreachable target, unwritable output), 2 for bad options.
 */
public final class LoadMain {
    /** Result file names inside {@code --out}. */
    static final String APPEND_HGRM = "append-latency.hgrm";
    static final String UNCORRECTED_HGRM = "append-latency-uncorrected.hgrm";
    static final String WATCH_HGRM = "watch-latency.hgrm";
    static final String HTML = "append-latency.html";
    static final String RESULT_TXT = "result.txt";

    private LoadMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (BadOptionsException e) {
            if (e.getMessage().isEmpty()) {
                out.println(LoadOptions.USAGE);
                return 0;
            }
            err.println("load: " + e.getMessage());
            err.println(LoadOptions.USAGE);
            return 2;
        }
        LoadResult result;
        try {
            result = LoadRunner.run(options);
        } catch (StatusRuntimeException e) {
            Throwable cause = e.getStatus().getCause();
            err.println("load: FAILED: the target " + options.host() + ":" + options.port() + " did not answer: "
                + e.getStatus().getCode() + " " + e.getStatus().getDescription()
                + (cause == null ? "" : " (" + cause.getMessage() + ")"));
            return 1;
        }
        LatencyReport.print(result, out);
        int status = result.ok() ? 0 : 1;
        try {
            for (Path file : writeFiles(result)) {
                out.println("wrote " + file);
            }
        } catch (IOException e) {
            err.println("load: could not write the results to " + options.out() + ": " + e);
            status = 1;
        }
        out.println(LatencyReport.resultLine(result));
        return status;
    }

    /** Writes the .hgrm files, the HTML plot and the RESULT line into {@code --out}; returns what it wrote. */
    static List<Path> writeFiles(LoadResult r) throws IOException {
        Path dir = r.options().out();
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        List<PercentilePlot.Series> series = new ArrayList<>();
        boolean open = r.options().mode() == LoadOptions.Mode.OPEN;
        written.add(hgrm(dir.resolve(APPEND_HGRM), r.appendLatency()));
        String what = r.options().batched() ? "append, per entry" : "append";
        series.add(new PercentilePlot.Series(open ? what + ", from intended start (corrected)" : what,
            r.appendLatency()));
        if (r.uncorrectedLatency() != null) {
            written.add(hgrm(dir.resolve(UNCORRECTED_HGRM), r.uncorrectedLatency()));
            series.add(new PercentilePlot.Series(what + ", from actual send (uncorrected)", r.uncorrectedLatency()));
        }
        if (r.watchLatency() != null) {
            written.add(hgrm(dir.resolve(WATCH_HGRM), r.watchLatency()));
            series.add(new PercentilePlot.Series("watch, append send to watch receive", r.watchLatency()));
        }
        Path html = dir.resolve(HTML);
        Files.writeString(html, PercentilePlot.html("Converge Ledger load run " + r.options().runId(),
            parameters(r), series), StandardCharsets.UTF_8);
        written.add(html);
        Path result = dir.resolve(RESULT_TXT);
        Files.writeString(result, LatencyReport.resultLine(r) + "\n", StandardCharsets.UTF_8);
        written.add(result);
        return written;
    }

    private static Path hgrm(Path file, Histogram histogram) throws IOException {
        HgrmWriter.write(file, histogram);
        return file;
    }

    private static Map<String, String> parameters(LoadResult r) {
        LoadOptions o = r.options();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mode", o.mode().name().toLowerCase(Locale.ROOT) + " loop");
        p.put("target", o.host() + ":" + o.port());
        if (o.batched()) {
            p.put("rpc", o.rpc() == LoadOptions.Rpc.STREAM ? "AppendStream" : "AppendBatch");
            p.put(o.rpc() == LoadOptions.Rpc.STREAM ? "streams" : "callers", Integer.toString(o.streams()));
            p.put("window (batches in flight each)", Integer.toString(o.window()));
            p.put("batch (entries)", Integer.toString(o.batch()));
            if (o.mode() == LoadOptions.Mode.OPEN) {
                p.put("rate (entries/s)", Double.toString(o.rate()));
            }
        } else if (o.mode() == LoadOptions.Mode.OPEN) {
            p.put("rate (appends/s)", Double.toString(o.rate()));
            p.put("max outstanding", Integer.toString(o.maxOutstanding()));
        } else {
            p.put("callers", Integer.toString(o.callers()));
            if (o.expectedIntervalNanos() > 0) {
                p.put("expected interval (ns)", Long.toString(o.expectedIntervalNanos()));
            }
        }
        p.put("channels", Integer.toString(o.channels()));
        p.put("contexts", o.contexts() + " (" + o.contextId(0) + " ..)");
        p.put("payload (bytes)", Integer.toString(o.payloadBytes()));
        p.put("watchers", Integer.toString(o.watchers()));
        p.put("warmup", LoadOptions.format(o.warmup()));
        p.put("measured", LoadOptions.format(o.duration()));
        String unit = o.batched() ? "entries" : "appends";
        p.put(unit + " measured", Long.toString(r.measuredAppends()));
        p.put("throughput (" + unit + "/s)", String.format(Locale.ROOT, "%.1f", r.throughputPerSecond()));
        if (o.batched()) {
            p.put("batches/s", String.format(Locale.ROOT, "%.1f", r.batchesPerSecond()));
        }
        p.put("errors", r.ok() ? "none" : LatencyReport.errorText(r));
        p.put("RESULT", LatencyReport.resultLine(r));
        return p;
    }
}
