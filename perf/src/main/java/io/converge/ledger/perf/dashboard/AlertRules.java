package io.converge.ledger.perf.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The alert names and PromQL expressions of a Prometheus rules file in the layout of
 * docs/grafana/alerts.yml: {@code - alert: Name} items, each with an {@code expr:} that is
 * either on its line or a {@code >-} block of more-indented lines. Not a YAML parser: the
 * dashboard script also loads the file with a real one.
 */
final class AlertRules {
    private AlertRules() {
    }

    /** Alert name to its expression, in file order. */
    static Map<String, String> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static Map<String, String> parse(List<String> lines) {
        Map<String, String> rules = new LinkedHashMap<>();
        String alert = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("- alert:")) {
                alert = line.substring("- alert:".length()).strip();
            } else if (line.startsWith("expr:")) {
                if (alert == null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": an expr before any alert");
                }
                String expr = line.substring("expr:".length()).strip();
                if (expr.equals(">-") || expr.equals("|") || expr.equals(">")) {
                    int indent = indent(lines.get(i));
                    List<String> block = new ArrayList<>();
                    while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indent(lines.get(i + 1)) > indent)) {
                        block.add(lines.get(++i).strip());
                    }
                    expr = String.join(" ", block).strip();
                }
                if (rules.put(alert, expr) != null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": a second expr for " + alert);
                }
            }
        }
        return rules;
    }

    /** Every metric name the rules' expressions select. */
    static Set<String> metricNames(Map<String, String> rules) {
        Set<String> names = new TreeSet<>();
        rules.values().forEach(e -> names.addAll(PromQl.metricNames(e)));
        return names;
    }

    private static int indent(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
