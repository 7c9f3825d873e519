package io.converge.ledger.perf.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The panels of a Grafana dashboard JSON (docs/grafana/dashboard.json), as far as
 * {@link DashboardPlot} draws them: title, unit, place on Grafana's 24-column grid, and each
 * target's PromQL and legend. Immutable.
 */
record Dashboard(String title, List<Panel> panels) {
    /** One query of a panel: its PromQL and legend format ({@code {{label}}} placeholders). */
    record Target(String expr, String legendFormat) {
    }

    /** One time-series panel. */
    record Panel(String title, String unit, int x, int y, int w, int h, List<Target> targets) {
    }

    static Dashboard read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the JSON is malformed or lacks what a panel needs */
    @SuppressWarnings("unchecked")
    static Dashboard parse(String json) {
        Map<String, Object> root = Json.parseObject(json);
        List<Panel> panels = new ArrayList<>();
        for (Object o : (List<Object>) required(root, "panels")) {
            Map<String, Object> p = (Map<String, Object>) o;
            Map<String, Object> grid = (Map<String, Object>) required(p, "gridPos");
            Map<String, Object> defaults = (Map<String, Object>) ((Map<String, Object>) required(p, "fieldConfig"))
                .get("defaults");
            String unit = defaults == null ? "short" : (String) defaults.getOrDefault("unit", "short");
            List<Target> targets = new ArrayList<>();
            for (Object t : (List<Object>) required(p, "targets")) {
                Map<String, Object> target = (Map<String, Object>) t;
                targets.add(new Target((String) required(target, "expr"),
                    (String) target.getOrDefault("legendFormat", "")));
            }
            panels.add(new Panel((String) required(p, "title"), unit, integer(grid, "x"), integer(grid, "y"),
                integer(grid, "w"), integer(grid, "h"), targets));
        }
        return new Dashboard((String) required(root, "title"), panels);
    }

    /** Every metric name the panels' queries select. */
    Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        for (Panel p : panels) {
            for (Target t : p.targets()) {
                names.addAll(PromQl.metricNames(t.expr()));
            }
        }
        return names;
    }

    private static Object required(Map<String, Object> object, String name) {
        Object v = object.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no \"" + name + "\" in " + object.keySet());
        }
        return v;
    }

    private static int integer(Map<String, Object> object, String name) {
        return ((Double) required(object, name)).intValue();
    }
}
