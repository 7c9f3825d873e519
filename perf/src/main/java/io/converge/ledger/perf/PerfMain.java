package io.converge.ledger.perf;

import io.converge.ledger.perf.load.LoadMain;

import java.util.Arrays;

/**
 * The one entry point of {@code converge-ledger-perf.jar}: {@code jmh}, {@code load},
 * {@code gate}, {@code contexts}, {@code dashboard} or {@code snapshots}, followed by that tool's own arguments.
 */
public final class PerfMain {
    private PerfMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            case "gate" -> io.converge.ledger.perf.gate.PerfGate.main(rest);
            case "load" -> System.exit(LoadMain.run(rest, System.out, System.err));
            case "contexts" -> System.exit(io.converge.ledger.perf.memory.ContextCost.run(rest, System.out));
            case "dashboard" -> System.exit(io.converge.ledger.perf.dashboard.DashboardMain.run(rest, System.out,
                System.err));
            case "snapshots" -> System.exit(io.converge.ledger.perf.snapshot.SnapshotFigures.run(rest));
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: java -jar perf/target/converge-ledger-perf.jar <tool> [arguments]\n"
            + "  jmh  [JMH options]   the core benchmarks (JMH; -h for its options)\n"
            + "  load [options]       gRPC load generator: closed or open loop Appends, watchers (--help)\n"
            + "  gate [--baseline F]  the CI perf gate: ratios vs the no-op ring and the no-op gRPC service\n"
            + "  contexts [options]   heap bytes per context at 0, 1 and 100 entries (--help)\n"
            + "  dashboard <command>  record /metrics and draw docs/grafana/dashboard.json's panels as a PNG\n"
            + "  snapshots MODE ...   fill/take/load/get-lat: the client of perf/scripts/snapshot-figures.sh\n");
    }
}
