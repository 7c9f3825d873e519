package io.converge.ledger.perf.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The gate's comparison of measured ratios with the baseline's floors. Immutable. */
record GateVerdict(List<Row> rows) {

    /** One ratio: measured, its baseline and floor, and whether it passed. */
    record Row(String name, double measured, GateBaseline.Limit limit) {
        boolean passed() {
            return measured >= limit.floor();
        }
    }

    /**
     * Compares {@code measured} with every ratio of {@code baseline}.
     *
     * @throws IllegalArgumentException when a baseline ratio was not measured
     */
    static GateVerdict of(Map<String, Double> measured, GateBaseline baseline) {
        List<Row> rows = new ArrayList<>();
        baseline.limits().forEach((name, limit) -> {
            Double value = measured.get(name);
            if (value == null) {
                throw new IllegalArgumentException("the baseline names " + name + ", which the gate does not measure");
            }
            rows.add(new Row(name, value, limit));
        });
        return new GateVerdict(List.copyOf(rows));
    }

    boolean passed() {
        return rows.stream().allMatch(Row::passed);
    }

    /**
     * The ratios below their floor both here and in {@code earlier}: a ratio fails the gate
     * only by missing twice in a row, so that two different ratios, each dipping once on a
     * shared machine, do not add up to a failure.
     */
    List<String> failedAgain(GateVerdict earlier) {
        List<String> before = earlier.rows.stream().filter(r -> !r.passed()).map(Row::name).toList();
        return rows.stream().filter(r -> !r.passed() && before.contains(r.name())).map(Row::name).toList();
    }

    /** A table a person reads in a CI log. */
    String report() {
        int width = Math.max(28, rows.stream().mapToInt(r -> r.name().length()).max().orElse(0));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %9s %10s  %s%n",
            "ratio", "measured", "baseline", "floor", "change", "verdict"));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-" + width + "s %9.3f %9.3f %9.3f %+9.1f%%  %s%n", r.name(),
                r.measured(), r.limit().baseline(), r.limit().floor(), (r.measured() / r.limit().baseline() - 1) * 100,
                r.passed() ? "ok" : "REGRESSION (more than " + Math.round(r.limit().tolerance() * 100)
                    + "% below baseline)"));
        }
        return b.toString();
    }
}
