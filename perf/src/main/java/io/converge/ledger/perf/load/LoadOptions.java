package io.converge.ledger.perf.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What one load run does, parsed from the command line by {@link #parse}. Immutable.
 *
 * @param host               the server's host name or address
 * @param port               the server's TCP port
 * @param callers            closed loop: concurrent callers, each with one Append in flight (0 in open loop)
 * @param rate               open loop: Appends (entries, when batched) per second in all, on a fixed schedule
 *                           (0 in closed loop)
 * @param duration           the measured phase
 * @param warmup             the phase before it, run the same way but not recorded
 * @param payloadBytes       bytes of payload in every Append
 * @param contexts           how many contexts the Appends are spread over, round-robin
 * @param watchers           Watch streams held open during the run, spread over the contexts
 * @param channels           gRPC channels (one TCP connection each) the calls are spread over
 * @param out                the directory the result files are written to
 * @param serverMetrics      base URL of the server's latency endpoint, or null
 * @param expectedIntervalNanos closed loop: the interval handed to
 *                           {@code recordValueWithExpectedInterval}, in ns (0: plain recording)
 * @param maxOutstanding     open loop: the most Appends in flight at once
 * @param runId              names this run's contexts, {@code load-<runId>-<i>}
 * @param rpc                which rpc carries the entries: unary Append, AppendBatch or AppendStream
 * @param batch              AppendBatch and AppendStream: entries per request (1 with unary Append)
 * @param streams            AppendStream: streams; AppendBatch: concurrent callers (0 with unary Append)
 * @param window             AppendBatch and AppendStream: batches in flight per stream or caller (0 with unary)
 * @param watchRpc           which rpc the watchers use: Watch (one entry a message) or WatchBatches
 * @param stalledWatchers    streams of the same rpc on the first context that read nothing, on channels of
 *                           their own with a fixed 64 KiB window (not measured: the cost they put on others)
 * @param serverPid          the server's process id on this machine, whose CPU time the run reports (0: none)
 */
public record LoadOptions(
    String host, int port, int callers, double rate, Duration duration, Duration warmup, int payloadBytes,
    int contexts, int watchers, int channels, Path out, URI serverMetrics, long expectedIntervalNanos,
    int maxOutstanding, String runId, Rpc rpc, int batch, int streams, int window, WatchRpc watchRpc,
    int stalledWatchers, long serverPid) {

    /** The largest payload the server accepts (CONTRACT.md, "Bad input"). */
    public static final int MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
    /** Watch latency needs the send time, {@link System#nanoTime()}, in the payload's first 8 bytes. */
    public static final int STAMP_BYTES = Long.BYTES;

    public static final String USAGE = String.join("\n",
        "usage: java -jar perf/target/converge-ledger-perf.jar load [options]",
        "  --target host:port       the ledger server (default localhost:50051)",
        "  --callers N              closed loop: N callers, each with one Append in flight (default 50)",
        "  --rate R                 open loop: R Appends/s in all on a fixed schedule; latency is measured",
        "                           from each call's intended start (excludes --callers); with --rpc stream:",
        "                           R entries/s, sent in batches of --batch on a fixed schedule",
        "  --duration D             measured phase, e.g. 10s, 500ms, 2m (default 10s)",
        "  --warmup D               phase before it, not recorded (default 2s)",
        "  --payload BYTES          payload size (default 64; at least 8 with --watchers)",
        "  --contexts N             spread Appends round-robin over N contexts load-<run>-<i> (default 1)",
        "  --watchers N             hold N Watch streams open, spread over the contexts, and measure",
        "                           append-to-watch latency and completeness (default 0); with --rpc unary",
        "                           or stream",
        "  --watch-rpc watch|batches the watchers' rpc: Watch, one entry a message (default), or WatchBatches",
        "  --stalled-watchers N     also hold N streams of that rpc on the first context that read nothing",
        "                           (own channels, fixed 64 KiB window): what they cost appends and watchers",
        "  --channels N             gRPC channels, one connection each (default: closed loop min(callers, 4),",
        "                           open loop 4)",
        "  --out DIR                result files go here (default ./loadgen-results)",
        "  --server-metrics URL     GET URL/latency/reset after warmup and print URL/latency at the end",
        "  --expected-interval D    closed loop: record with HdrHistogram's recordValueWithExpectedInterval",
        "                           (default off)",
        "  --max-outstanding N      open loop: cap on Appends in flight (default 10000); a send that finds",
        "                           the cap waits and is counted",
        "  --server-pid PID         the server's process on this machine: report its CPU time per entry",
        "                           in the measured phase (Linux /proc)",
        "  --run-id ID              names the contexts (default: derived from the clock and the pid)",
        "  --rpc unary|batch|stream which rpc carries the entries (default unary): unary Append, AppendBatch",
        "                           (closed loop only), or AppendStream (closed loop, or open loop with --rate)",
        "  --batch N                batch and stream: entries per AppendBatchRequest (default 100)",
        "  --streams S              stream: AppendStream streams; batch: concurrent AppendBatch callers (default 4)",
        "  --window W               batch and stream: batches in flight per stream or caller before waiting for",
        "                           acks (default 4)",
        "  --help                   this text");

    /** Closed or open loop. */
    public enum Mode { CLOSED, OPEN }

    /** The rpc that carries the entries: {@code Append}, {@code AppendBatch} or {@code AppendStream}. */
    public enum Rpc { UNARY, BATCH, STREAM }

    /** The rpc the watchers use: {@code Watch} or {@code WatchBatches}. */
    public enum WatchRpc { WATCH, BATCHES }

    /** Whether entries travel in batches (AppendBatch or AppendStream). */
    public boolean batched() {
        return rpc != Rpc.UNARY;
    }

    public Mode mode() {
        return rate > 0 ? Mode.OPEN : Mode.CLOSED;
    }

    /** The id of context {@code i}, {@code 0 <= i < contexts}. */
    public String contextId(int i) {
        return "load-" + runId + "-" + i;
    }

    /**
     * Parses {@code --name value} or {@code --name=value} pairs.
     *
     * @throws BadOptionsException naming the offending option; {@code --help} throws one with an empty message
     */
    public static LoadOptions parse(String... args) throws BadOptionsException {
        String host = "localhost";
        int port = 50051;
        Integer callers = null;
        Double rate = null;
        Duration duration = Duration.ofSeconds(10);
        Duration warmup = Duration.ofSeconds(2);
        int payload = 64;
        int contexts = 1;
        int watchers = 0;
        Integer channels = null;
        Path out = Path.of("loadgen-results");
        URI serverMetrics = null;
        Duration expectedInterval = null;
        Integer maxOutstanding = null;
        String runId = defaultRunId();
        Rpc rpc = Rpc.UNARY;
        Integer batch = null;
        Integer streams = null;
        Integer window = null;
        WatchRpc watchRpc = WatchRpc.WATCH;
        int stalled = 0;
        long serverPid = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new BadOptionsException("");
            }
            if (!arg.startsWith("--")) {
                throw new BadOptionsException("unexpected argument '" + arg + "'");
            }
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg;
                if (i + 1 >= args.length) {
                    throw new BadOptionsException(name + " needs a value");
                }
                value = args[++i];
            }
            if (!seen.add(name)) {
                throw new BadOptionsException(name + " is given twice");
            }
            switch (name) {
                case "--target" -> {
                    int colon = value.lastIndexOf(':');
                    if (colon <= 0 || colon == value.length() - 1) {
                        throw new BadOptionsException("--target " + value + " is not host:port");
                    }
                    host = value.substring(0, colon);
                    port = (int) whole(name, value.substring(colon + 1), 1, 65535);
                }
                case "--callers" -> callers = (int) whole(name, value, 1, 100_000);
                case "--rate" -> rate = positive(name, value);
                case "--duration" -> duration = duration(name, value, false);
                case "--warmup" -> warmup = duration(name, value, true);
                case "--payload" -> payload = (int) whole(name, value, 0, MAX_PAYLOAD_BYTES);
                case "--contexts" -> contexts = (int) whole(name, value, 1, 1_000_000);
                case "--watchers" -> watchers = (int) whole(name, value, 0, 100_000);
                case "--channels" -> channels = (int) whole(name, value, 1, 1024);
                case "--out" -> out = Path.of(value);
                case "--server-metrics" -> serverMetrics = url(name, value);
                case "--expected-interval" -> expectedInterval = duration(name, value, false);
                case "--max-outstanding" -> maxOutstanding = (int) whole(name, value, 1, 10_000_000);
                case "--run-id" -> {
                    if (!value.matches("[A-Za-z0-9_.-]{1,64}")) {
                        throw new BadOptionsException("--run-id " + value + " is not 1 to 64 of [A-Za-z0-9_.-]");
                    }
                    runId = value;
                }
                case "--rpc" -> rpc = rpc(value);
                case "--batch" -> batch = (int) whole(name, value, 1, 100_000);
                case "--streams" -> streams = (int) whole(name, value, 1, 10_000);
                case "--window" -> window = (int) whole(name, value, 1, 100_000);
                case "--watch-rpc" -> watchRpc = switch (value) {
                    case "watch" -> WatchRpc.WATCH;
                    case "batches" -> WatchRpc.BATCHES;
                    default -> throw new BadOptionsException("--watch-rpc " + value + " is not one of watch, batches");
                };
                case "--server-pid" -> serverPid = whole(name, value, 1, Long.MAX_VALUE);
                case "--stalled-watchers" -> stalled = (int) whole(name, value, 0, 1_000_000);
                default -> throw new BadOptionsException("unknown option " + name);
            }
        }
        if (rate != null && callers != null) {
            throw new BadOptionsException("--rate (open loop) and --callers (closed loop) exclude each other");
        }
        if (rate != null && expectedInterval != null) {
            throw new BadOptionsException("--expected-interval applies to the closed loop only; the open loop"
                + " measures from each call's intended start");
        }
        if (rate == null && maxOutstanding != null) {
            throw new BadOptionsException("--max-outstanding applies to the open loop (--rate) only");
        }
        if (watchers > 0 && payload < STAMP_BYTES) {
            throw new BadOptionsException("--watchers needs --payload of at least " + STAMP_BYTES
                + " bytes (the send time goes in the first 8)");
        }
        if (rpc == Rpc.UNARY) {
            if (batch != null || streams != null || window != null) {
                throw new BadOptionsException("--batch, --streams and --window apply to --rpc batch and stream only");
            }
        } else {
            batchedOnly(rpc, rate, callers, watchers, expectedInterval, maxOutstanding);
            int streamCount = streams == null ? 4 : streams;
            return new LoadOptions(host, port, 0, rate == null ? 0 : rate, duration, warmup, payload, contexts, watchers,
                channels != null ? channels : Math.min(streamCount, 2), out, serverMetrics, 0, 0, runId, rpc,
                batch == null ? 100 : batch, streamCount, window == null ? 4 : window, watchRpc, stalled, serverPid);
        }
        int callerCount = rate == null ? (callers == null ? 50 : callers) : 0;
        int channelCount = channels != null ? channels : (rate == null ? Math.min(callerCount, 4) : 4);
        return new LoadOptions(host, port, callerCount, rate == null ? 0 : rate, duration, warmup, payload, contexts,
            watchers, channelCount, out, serverMetrics, expectedInterval == null ? 0 : expectedInterval.toNanos(),
            maxOutstanding == null ? 10_000 : maxOutstanding, runId, rpc, 1, 0, 0, watchRpc, stalled, serverPid);
    }

    /** Rejects the unary-only options with {@code --rpc batch} or {@code stream}, and the open loop with batch. */
    private static void batchedOnly(Rpc rpc, Double rate, Integer callers, int watchers, Duration expectedInterval,
        Integer maxOutstanding) throws BadOptionsException {
        String which = "--rpc " + rpc.name().toLowerCase(Locale.ROOT);
        if (callers != null) {
            throw new BadOptionsException("--callers applies to --rpc unary; " + which + " takes --streams");
        }
        if (watchers > 0 && rpc != Rpc.STREAM) {
            throw new BadOptionsException("--watchers applies to --rpc unary and stream only");
        }
        if (expectedInterval != null) {
            throw new BadOptionsException("--expected-interval applies to --rpc unary only");
        }
        if (maxOutstanding != null) {
            throw new BadOptionsException("--max-outstanding applies to --rpc unary; " + which
                + " bounds batches in flight with --window");
        }
        if (rate != null && rpc == Rpc.BATCH) {
            throw new BadOptionsException("--rate (open loop) applies to --rpc unary and stream, not batch");
        }
    }

    private static Rpc rpc(String value) throws BadOptionsException {
        return switch (value) {
            case "unary" -> Rpc.UNARY;
            case "batch" -> Rpc.BATCH;
            case "stream" -> Rpc.STREAM;
            default -> throw new BadOptionsException("--rpc " + value + " is not unary, batch or stream");
        };
    }

    private static String defaultRunId() {
        return Long.toString(System.currentTimeMillis(), 36) + Long.toString(ProcessHandle.current().pid(), 36);
    }

    private static long whole(String name, String value, long min, long max) throws BadOptionsException {
        try {
            long n = Long.parseLong(value.trim().replace("_", ""));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadOptionsException(name + " " + value + " is not a whole number from " + min + " to " + max);
    }

    private static double positive(String name, String value) throws BadOptionsException {
        try {
            double d = Double.parseDouble(value.trim());
            if (d > 0 && d <= 10_000_000 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadOptionsException(name + " " + value + " is not a number above 0 and at most 10000000");
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1.5s}, {@code 250us}; a bare number is seconds. */
    static Duration duration(String name, String value, boolean zeroAllowed) throws BadOptionsException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        String[][] units = {{"ms", "1000000"}, {"us", "1000"}, {"ns", "1"}, {"s", "1000000000"},
            {"m", "60000000000"}, {"h", "3600000000000"}};
        double nanosPerUnit = 1e9;
        for (String[] unit : units) {
            if (v.endsWith(unit[0])) {
                v = v.substring(0, v.length() - unit[0].length());
                nanosPerUnit = Double.parseDouble(unit[1]);
                break;
            }
        }
        try {
            double nanos = Double.parseDouble(v) * nanosPerUnit;
            if (Double.isFinite(nanos) && nanos >= 0 && nanos <= 86_400e9 && (zeroAllowed || nanos >= 1)) {
                return Duration.ofNanos(Math.round(nanos));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadOptionsException(name + " " + value + " is not a duration like 10s, 500ms or 2m"
            + (zeroAllowed ? "" : " above zero") + ", at most a day");
    }

    /** {@code 10s}, {@code 500ms}, {@code 1.5s}, {@code 250us}: how durations are shown. */
    static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        return nanos % 1000 == 0 ? nanos / 1000 + "us" : nanos + "ns";
    }

    private static URI url(String name, String value) throws BadOptionsException {
        try {
            URI uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new BadOptionsException(name + " " + value + " is not an http:// or https:// URL");
    }
}
