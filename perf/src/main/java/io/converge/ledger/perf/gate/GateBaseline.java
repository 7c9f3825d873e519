package io.converge.ledger.perf.gate;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The committed baseline the gate compares with: for each ratio, the value measured when
 * the baseline was taken and the tolerance, a fraction: the gate fails when a ratio falls
 * below {@code baseline × (1 − tolerance)}. Read from a properties file:
 * {@code <ratio>.baseline} and {@code <ratio>.tolerance} for each ratio. Immutable.
 */
record GateBaseline(Map<String, Limit> limits) {

    /** One ratio's baseline value and tolerance. */
    record Limit(double baseline, double tolerance) {
        Limit {
            if (!(baseline > 0) || !(tolerance >= 0 && tolerance < 1)) {
                throw new IllegalArgumentException("baseline must be > 0 and tolerance in [0, 1): " + baseline
                    + ", " + tolerance);
            }
        }

        /** The lowest value that passes. */
        double floor() {
            return baseline * (1 - tolerance);
        }
    }

    /**
     * Reads a baseline file.
     *
     * @throws IllegalArgumentException naming the file and the key that is missing or bad
     */
    static GateBaseline read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, Limit> limits = new LinkedHashMap<>();
        for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
            if (!key.endsWith(".baseline")) {
                continue;
            }
            String name = key.substring(0, key.length() - ".baseline".length());
            limits.put(name, new Limit(number(p, file, name + ".baseline"), number(p, file, name + ".tolerance")));
        }
        if (limits.isEmpty()) {
            throw new IllegalArgumentException(file + " names no <ratio>.baseline");
        }
        return new GateBaseline(limits);
    }

    private static double number(Properties p, Path file, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException(file + " has no " + key);
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": " + key + "=" + value + " is not a number");
        }
    }
}
