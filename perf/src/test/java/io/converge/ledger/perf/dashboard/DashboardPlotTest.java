package io.converge.ledger.perf.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashboardPlotTest {
    private static final String DASHBOARD = """
        {"title": "T", "panels": [
          {"title": "Calls/s", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
           "fieldConfig": {"defaults": {"unit": "ops"}},
           "targets": [{"expr": "sum by (method) (rate(calls_total[$__rate_interval]))",
                        "legendFormat": "{{method}} calls"}]},
          {"title": "Ring", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
           "fieldConfig": {"defaults": {"unit": "short"}},
           "targets": [{"expr": "ring_remaining", "legendFormat": "free"}]}
        ]}
        """;

    @TempDir
    Path dir;

    private static Scrapes scrapes(int n) {
        List<Scrapes.Scrape> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Scrapes.Scrape(1000L * i, PromText.parse(
                "calls_total{method=\"converge.context.v1.ContextService/Append\"} " + 100 * i + "\n"
                    + "ring_remaining " + (1000 - i) + "\n")));
        }
        return new Scrapes(list);
    }

    @Test
    void eachTargetBecomesOneLinePerSeriesWithItsLegend() {
        Dashboard d = Dashboard.parse(DASHBOARD);
        List<DashboardPlot.Line> calls = DashboardPlot.lines(d.panels().get(0), scrapes(3), 4000);
        assertEquals(1, calls.size());
        assertEquals("Append calls", calls.get(0).legend(), "the service's prefix is dropped from legends");
        assertArrayEquals(new double[] {Double.NaN, 100, 100}, calls.get(0).values());
        assertArrayEquals(new double[] {1000, 999, 998},
            DashboardPlot.lines(d.panels().get(1), scrapes(3), 4000).get(0).values());
    }

    @Test
    void renderDrawsEveryPanelOnTheGridIntoAPng() throws Exception {
        Path scrapesFile = dir.resolve("scrapes.prom");
        Path dashboardFile = dir.resolve("dashboard.json");
        Files.writeString(dashboardFile, DASHBOARD);
        try (var out = Files.newBufferedWriter(scrapesFile)) {
            for (int i = 0; i < 10; i++) {
                Scrapes.append(out, 1000L * i, "calls_total{method=\"a\"} " + 10 * i + "\nring_remaining 5\n");
            }
        }
        Path png = dir.resolve("d.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = DashboardMain.run(new String[] {"render", "--dashboard", dashboardFile.toString(), "--scrapes",
            scrapesFile.toString(), "--out", png.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);

        assertEquals(0, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("2 panels from 10 scrapes"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(DashboardPlot.WIDTH, image.getWidth());
        int background = image.getRGB(2, image.getHeight() - 2);
        assertTrue(image.getRGB(DashboardPlot.WIDTH / 4, 120) != background, "the left panel is drawn");
        assertTrue(image.getRGB(3 * DashboardPlot.WIDTH / 4, 120) != background, "the right panel is drawn");
    }

    @Test
    void badArgumentsExitTwo() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, DashboardMain.run(new String[] {"render", "--dashboard"}, quiet, quiet));
        assertEquals(2, DashboardMain.run(new String[] {"render", "--out", "x.png"}, quiet, quiet));
        assertEquals(2, DashboardMain.run(new String[] {"scrape", "--metrics", "http://localhost:1/metrics",
            "--duration", "soon", "--out", dir.resolve("s").toString()}, quiet, quiet));
    }

    @Test
    void axisLabelsUseGrafanasUnits() {
        assertEquals("250 µs", DashboardPlot.Units.format("s", 0.00025));
        assertEquals("1.5 ms", DashboardPlot.Units.format("s", 0.0015));
        assertEquals("2 MiB", DashboardPlot.Units.format("bytes", 2 * 1024 * 1024));
        assertEquals("85%", DashboardPlot.Units.format("percentunit", 0.85));
        assertEquals("1.5K ops/s", DashboardPlot.Units.format("ops", 1500));
        assertEquals(2.5 * 1024 * 1024, DashboardPlot.axisMax("bytes", 2.1 * 1024 * 1024));
    }
}
