package io.converge.ledger.perf.gate;

import io.converge.ledger.perf.load.StreamRateProbe;
import io.converge.ledger.transport.BaselineServer;
import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.RunningServer;
import io.converge.ledger.transport.ServerSettings;
import io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The CI perf gate: measures machine-independent ratios in one short run, compares them
 * with the committed baseline, and exits non-zero when one fell below its floor twice.
 *
 * <ul>
 *   <li>{@value #CORE_RATIO}: appends/s into the ledger over appends/s through the
 *       record-writing {@code RingBaseline} (the same ring, and a handler that writes the same
 *       records into reused direct memory and does nothing else); 1 producer, 1 context, 64 B.</li>
 *   <li>{@value #GRPC_RATIO}: unary Append calls/s answered by the ledger's gRPC server over
 *       those answered by the no-op baseline server; both on Netty on loopback in this JVM,
 *       {@value #CALLERS} callers in closed loop, 64 B.</li>
 *   <li>{@value #STREAM_RATIO}: entries/s acked over AppendStream by the ledger's gRPC server
 *       over those acked by the no-op baseline server, both on loopback in this JVM, each trial
 *       against a freshly started server; batches of {@value #BATCH} entries of 64 B, driven by
 *       the load generator's stream driver ({@link StreamRateProbe}) in closed loop,
 *       {@value #STREAMS} streams with {@value #WINDOW} batches in flight each over
 *       {@value #STREAM_CHANNELS} connections.</li>
 * </ul>
 *
 * <p>A first measurement below a floor is measured once more, and only the second decides:
 * a one-off hiccup of a shared machine does not fail the build, a real regression fails it
 * twice.
 *
 * <p>Usage: {@code gate [--baseline perf/gate-baseline.properties]} or {@code gate --measure}
 * (one measurement printed as baseline properties, to take or check a baseline).
 */
public final class PerfGate {
    static final String CORE_RATIO = "core.append.ledger_vs_ring";
    static final String GRPC_RATIO = "grpc.append.ledger_vs_noop";
    static final String STREAM_RATIO = "grpc.append_stream.ledger_vs_noop";
    static final int CALLERS = 50;
    static final int BATCH = 100;
    /** The load shape batch-figures.sh uses: the fastest of its sweep on the shared 2-core box. */
    static final int STREAMS = 8;
    static final int WINDOW = 8;
    static final int STREAM_CHANNELS = 2;
    private static final int PAYLOAD_BYTES = 64;

    private PerfGate() {
    }

    public static void main(String[] args) throws Exception {
        Path baselineFile = Path.of("perf", "gate-baseline.properties");
        boolean measureOnly = false;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--baseline" -> baselineFile = Path.of(args[++i]);
                case "--measure" -> measureOnly = true;
                case "--only" -> only = args[++i];
                default -> {
                    System.err.println("usage: gate [--baseline FILE] [--measure [--only core|unary|stream]]");
                    System.exit(2);
                }
            }
        }
        if (measureOnly) {
            measure(System.out, only == null ? "core,unary,stream" : only).forEach((name, value) ->
                System.out.printf(Locale.ROOT, "%s.baseline=%.3f%n", name, value));
            return;
        }
        GateBaseline baseline = GateBaseline.read(baselineFile);
        System.out.println("perf gate: baseline " + baselineFile.toAbsolutePath());
        boolean passed = run(() -> measure(System.out, "core,unary,stream"), baseline, System.out);
        System.exit(passed ? 0 : 1);
    }

    /**
     * Measures, compares and reports; measures once more when the first measurement fails.
     *
     * @return whether the gate passed
     */
    static boolean run(Supplier<Map<String, Double>> measure, GateBaseline baseline, PrintStream out) {
        GateVerdict first = GateVerdict.of(measure.get(), baseline);
        out.print(first.report());
        if (first.passed()) {
            out.println("perf gate: PASSED");
            return true;
        }
        out.println("perf gate: below a floor; measuring once more before failing");
        GateVerdict second = GateVerdict.of(measure.get(), baseline);
        out.print(second.report());
        out.println(second.passed() ? "perf gate: PASSED on the second measurement"
            : "perf gate: FAILED: a ratio fell below its floor in two measurements in a row");
        return second.passed();
    }

    /**
     * One measurement of the ratios named in {@code which} (a comma-separated subset of core,
     * unary, stream), with the rates behind them printed to {@code log}.
     */
    static Map<String, Double> measure(PrintStream log, String which) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        if (which.contains("core")) {
            measureCore(log, ratios);
        }
        ServerSettings settings = ServerSettings.defaults();
        if (which.contains("unary")) {
            measureUnary(log, settings, ratios);
        }
        if (which.contains("stream")) {
            measureStream(log, settings, ratios);
        }
        return ratios;
    }

    private static void measureCore(PrintStream log, Map<String, Double> ratios) {
        CoreRateProbe core = new CoreRateProbe(PAYLOAD_BYTES);
        SideBySide c = SideBySide.measure(core::ledgerRate, core::ringRate, 6,
            TimeUnit.MILLISECONDS.toNanos(1500), TimeUnit.MILLISECONDS.toNanos(400));
        log.printf(Locale.ROOT, "core, 1 producer, 1 context, %d B: ledger %,.0f appends/s, ring writing records %,.0f/s, "
            + "pair ratios %s%n", PAYLOAD_BYTES, c.subjectRate(), c.limitRate(), format(c.ratios()));
        ratios.put(CORE_RATIO, c.ratio());
    }

    private static void measureUnary(PrintStream log, ServerSettings settings, Map<String, Double> ratios) {
        try (RunningServer ledger = LedgerServer.start(loopback(), settings);
             RunningServer noop = BaselineServer.start(loopback(), settings);
             GrpcRateProbe toLedger = new GrpcRateProbe(ledger.port(), 1, PAYLOAD_BYTES, "gate");
             GrpcRateProbe toNoop = new GrpcRateProbe(noop.port(), 1, PAYLOAD_BYTES, "gate")) {
            SideBySide g = SideBySide.measure(n -> rate(toLedger, n), n -> rate(toNoop, n), 4,
                TimeUnit.SECONDS.toNanos(3), TimeUnit.MILLISECONDS.toNanos(1500));
            log.printf(Locale.ROOT, "gRPC unary Append, %d callers, %d B: ledger %,.0f calls/s, no-op %,.0f/s, "
                + "pair ratios %s%n", CALLERS, PAYLOAD_BYTES, g.subjectRate(), g.limitRate(), format(g.ratios()));
            ratios.put(GRPC_RATIO, g.ratio());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void measureStream(PrintStream log, ServerSettings settings, Map<String, Double> ratios) {
        SideBySide s = SideBySide.measure(n -> streamRate(LedgerServer::start, settings, n),
            n -> streamRate(BaselineServer::start, settings, n), 6,
            TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(1));
        log.printf(Locale.ROOT, "gRPC AppendStream, %d streams x %d batches in flight, %d x %d B: ledger %,.0f "
            + "entries/s, no-op %,.0f/s, pair ratios %s%n", STREAMS, WINDOW, BATCH, PAYLOAD_BYTES, s.subjectRate(),
            s.limitRate(), format(s.ratios()));
        ratios.put(STREAM_RATIO, s.ratio());
    }

    /** Entries/s over AppendStream for about {@code nanos} against a server started for this trial alone. */
    private static double streamRate(ServerStart start, ServerSettings settings, long nanos) {
        try (RunningServer server = start.start(loopback(), settings);
             StreamRateProbe probe = StreamRateProbe.connect(InetAddress.getLoopbackAddress().getHostAddress(),
                 server.port(), BATCH, PAYLOAD_BYTES, STREAMS, WINDOW, STREAM_CHANNELS, "gate")) {
            return probe.entriesPerSecond(nanos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @FunctionalInterface
    private interface ServerStart {
        RunningServer start(NettyServerBuilder builder, ServerSettings settings) throws IOException;
    }

    private static double rate(GrpcRateProbe probe, long nanos) {
        try {
            return probe.callsPerSecond(CALLERS, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static NettyServerBuilder loopback() {
        return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static String format(double[] values) {
        StringBuilder b = new StringBuilder("[");
        for (double v : values) {
            b.append(b.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.3f", v));
        }
        return b.append(']').toString();
    }
}
