package io.converge.ledger.perf.dashboard;

import javax.imageio.ImageIO;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code converge-ledger-perf.jar dashboard}: records a server's {@code /metrics} and draws
 * docs/grafana/dashboard.json's panels from the recording, where Grafana is not at hand.
 *
 * <pre>
 * dashboard scrape --metrics URL --duration D [--interval D] --out FILE
 * dashboard render --dashboard JSON --scrapes FILE --out PNG [--rate-interval D]
 * dashboard check  --metrics URL --dashboard JSON [--alerts YAML]
 * </pre>
 *
 * {@code check} exits 1 when a query names a metric the server does not export.
 */
public final class DashboardMain {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private DashboardMain() {
    }

    /** @return the exit status: 0, 1 for a failed check, 2 for bad arguments */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.length == 0 || args.length % 2 == 0) {
            return usage(err);
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                return usage(err);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        try {
            return switch (args[0]) {
                case "scrape" -> scrape(URI.create(required(options, "metrics")),
                    duration(required(options, "duration")), duration(options.getOrDefault("interval", "1s")),
                    Path.of(required(options, "out")), err);
                case "render" -> render(Path.of(required(options, "dashboard")), Path.of(required(options, "scrapes")),
                    Path.of(required(options, "out")), duration(options.getOrDefault("rate-interval", "4s")), out);
                case "check" -> check(URI.create(required(options, "metrics")), Path.of(required(options, "dashboard")),
                    options.containsKey("alerts") ? Path.of(options.get("alerts")) : null, out, err);
                default -> usage(err);
            };
        } catch (IllegalArgumentException e) {
            err.println("dashboard: " + e.getMessage());
            return 2;
        }
    }

    private static int scrape(URI metrics, Duration duration, Duration interval, Path file, PrintStream err)
        throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        long start = System.nanoTime();
        int taken = 0;
        int failed = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long next = start; next - start <= duration.toNanos(); next += interval.toNanos()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        Scrapes.append(out, System.currentTimeMillis(), r.body());
                        taken++;
                        continue;
                    }
                    err.println("dashboard: GET " + metrics + " answered HTTP " + r.statusCode());
                } catch (IOException e) {
                    err.println("dashboard: GET " + metrics + " failed: " + e);
                }
                failed++;
            }
        }
        err.println("dashboard: " + taken + " scrapes of " + metrics + " in " + file + (failed > 0 ? ", " + failed
            + " failed" : ""));
        return taken >= 2 ? 0 : 1;
    }

    private static int render(Path dashboardFile, Path scrapesFile, Path png, Duration rateInterval, PrintStream out)
        throws IOException {
        Dashboard dashboard = Dashboard.read(dashboardFile);
        Scrapes scrapes = Scrapes.read(scrapesFile);
        if (scrapes.size() < 2) {
            throw new IllegalArgumentException(scrapesFile + " holds " + scrapes.size() + " scrapes; at least 2 are needed");
        }
        long seconds = (scrapes.get(scrapes.size() - 1).epochMillis() - scrapes.get(0).epochMillis()) / 1000;
        String note = "Rendered by converge-ledger-perf.jar dashboard (not Grafana) from " + scrapes.size()
            + " scrapes of /metrics over " + seconds + " s of a load run; the same queries as " + dashboardFile.getFileName()
            + ", $__rate_interval = " + rateInterval.toMillis() / 1000.0 + " s.";
        ImageIO.write(DashboardPlot.render(dashboard, scrapes, rateInterval.toMillis(), note), "png", png.toFile());
        out.println("dashboard: " + dashboard.panels().size() + " panels from " + scrapes.size() + " scrapes in " + png);
        return 0;
    }

    private static int check(URI metrics, Path dashboardFile, Path alertsFile, PrintStream out, PrintStream err)
        throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
            .send(HttpRequest.newBuilder(metrics).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            err.println("dashboard: GET " + metrics + " answered HTTP " + r.statusCode());
            return 1;
        }
        Set<String> exported = new TreeSet<>();
        PromText.parse(r.body()).forEach(s -> exported.add(s.name()));
        Set<String> referenced = new TreeSet<>(Dashboard.read(dashboardFile).metricNames());
        if (alertsFile != null) {
            referenced.addAll(AlertRules.metricNames(AlertRules.read(alertsFile)));
        }
        Set<String> missing = new TreeSet<>(referenced);
        missing.removeAll(exported);
        out.println("dashboard: " + referenced.size() + " metric names referenced, " + missing.size()
            + " not exported by " + metrics + (missing.isEmpty() ? "" : ": " + missing));
        return missing.isEmpty() ? 0 : 1;
    }

    private static String required(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /** {@code 60s}, {@code 500ms}, {@code 2m}. */
    static Duration duration(String text) {
        String t = text.strip();
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new IllegalArgumentException("not a duration (like 500ms, 1s, 2m): " + text);
    }

    private static int usage(PrintStream err) {
        err.println("usage: java -jar perf/target/converge-ledger-perf.jar dashboard <command> [options]\n"
            + "  scrape --metrics URL --duration D [--interval 1s] --out FILE   record /metrics every interval\n"
            + "  render --dashboard JSON --scrapes FILE --out PNG [--rate-interval 4s]   draw the panels\n"
            + "  check  --metrics URL --dashboard JSON [--alerts YAML]   every queried metric is exported");
        return 2;
    }
}
