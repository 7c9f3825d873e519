package io.converge.ledger.perf.gate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The gate's command line: {@code gate [--baseline FILE] [--plant ...]} or {@code gate --measure
 * [--only core,unary,stream] [--plant core=NS,unary=NS,stream=NS]}. Immutable.
 *
 * @param baseline the baseline file the gate compares with (not read by {@code --measure})
 * @param measure  whether to print one measurement instead of gating
 * @param checks   the checks to measure, in the gate's order: a non-empty subset of {@link #ALL}
 * @param plant    the planted slowdown; {@link PlantedSlowdown#NONE} unless {@code --plant} was given.
 *                 A planted gate run is the proof that a check catches a regression: it fails on
 *                 purpose, and says it was planted in every line of its verdict. CI never plants.
 */
record GateOptions(Path baseline, boolean measure, List<String> checks, PlantedSlowdown plant) {
    static final List<String> ALL = List.of("core", "unary", "stream");
    static final String USAGE = "usage: gate [--baseline FILE] [--plant core=NS,unary=NS,stream=NS]\n"
        + "       gate --measure [--only core|unary|stream,...] [--plant core=NS,unary=NS,stream=NS]";

    /**
     * Reads the arguments.
     *
     * @throws IllegalArgumentException saying what is wrong, without the usage
     */
    static GateOptions parse(String... args) {
        Path baseline = Path.of("perf", "gate-baseline.properties");
        boolean measure = false;
        String only = null;
        String plant = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--measure" -> measure = true;
                case "--baseline", "--only", "--plant" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(option + " needs a value");
                    }
                    String value = args[++i];
                    switch (option) {
                        case "--baseline" -> baseline = Path.of(value);
                        case "--only" -> only = value;
                        default -> plant = value;
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (!measure && only != null) {
            throw new IllegalArgumentException("--only is only for --measure: the gate itself measures every check");
        }
        return new GateOptions(baseline, measure, only == null ? ALL : checks(only),
            plant == null ? PlantedSlowdown.NONE : PlantedSlowdown.parse(plant));
    }

    private static List<String> checks(String only) {
        List<String> named = List.of(only.split(",", -1));
        for (String check : named) {
            if (!ALL.contains(check)) {
                throw new IllegalArgumentException("--only " + only + ": '" + check + "' is not one of " + ALL);
            }
        }
        List<String> inOrder = new ArrayList<>(ALL);
        inOrder.retainAll(named);
        return List.copyOf(inOrder);
    }
}
