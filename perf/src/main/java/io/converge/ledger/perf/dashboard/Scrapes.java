package io.converge.ledger.perf.dashboard;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scrapes of {@code /metrics} in time order, as one file: each scrape is a line
 * {@code # scrape <epoch millis>} followed by the body the server answered. Immutable once read.
 */
final class Scrapes {
    static final String HEADER = "# scrape ";

    /** One scrape: when it was taken and what it held, by metric name. */
    record Scrape(long epochMillis, Map<String, List<PromSample>> byName) {
        Scrape(long epochMillis, List<PromSample> samples) {
            this(epochMillis, index(samples));
        }

        private static Map<String, List<PromSample>> index(List<PromSample> samples) {
            Map<String, List<PromSample>> byName = new HashMap<>();
            for (PromSample s : samples) {
                byName.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(s);
            }
            return byName;
        }

        List<PromSample> named(String name) {
            return byName.getOrDefault(name, List.of());
        }
    }

    private final List<Scrape> scrapes;

    Scrapes(List<Scrape> scrapes) {
        this.scrapes = List.copyOf(scrapes);
    }

    List<Scrape> all() {
        return scrapes;
    }

    int size() {
        return scrapes.size();
    }

    Scrape get(int i) {
        return scrapes.get(i);
    }

    /** Appends one scrape's {@code body}, taken at {@code epochMillis}, to {@code out}. */
    static void append(BufferedWriter out, long epochMillis, String body) throws IOException {
        out.write(HEADER + epochMillis + "\n");
        out.write(body.endsWith("\n") ? body : body + "\n");
        out.flush();
    }

    static Scrapes read(Path file) throws IOException {
        List<Scrape> scrapes = new ArrayList<>();
        long time = -1;
        StringBuilder body = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith(HEADER)) {
                if (time >= 0) {
                    scrapes.add(new Scrape(time, PromText.parse(body.toString())));
                }
                time = Long.parseLong(line.substring(HEADER.length()).strip());
                body.setLength(0);
            } else {
                body.append(line).append('\n');
            }
        }
        if (time >= 0) {
            scrapes.add(new Scrape(time, PromText.parse(body.toString())));
        }
        return new Scrapes(scrapes);
    }
}
