package io.converge.ledger.perf.dashboard;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws a {@link Dashboard}'s panels as small line charts on one image, each from its own
 * PromQL evaluated ({@link PromQl}) at every recorded scrape, placed on the dashboard's
 * 24-column grid, in colours like Grafana's dark theme. Headless Java2D; stateless.
 */
final class DashboardPlot {
    static final int WIDTH = 1600;
    private static final int GRID_ROW = 36;
    private static final int HEADER = 64;
    private static final int GAP = 8;
    private static final Color BACKGROUND = new Color(0x11, 0x12, 0x17);
    private static final Color PANEL = new Color(0x18, 0x1b, 0x1f);
    private static final Color BORDER = new Color(0x2c, 0x30, 0x35);
    private static final Color GRID = new Color(0x2c, 0x30, 0x35);
    private static final Color TEXT = new Color(0xcc, 0xcc, 0xdc);
    private static final Color DIM = new Color(0x8e, 0x8e, 0x9e);
    private static final Color[] PALETTE = {new Color(0x73, 0xbf, 0x69), new Color(0xf2, 0xcc, 0x0c),
        new Color(0x57, 0x94, 0xf2), new Color(0xff, 0x98, 0x30), new Color(0xf2, 0x49, 0x5c),
        new Color(0xb8, 0x77, 0xd9), new Color(0x8a, 0xb8, 0xff), new Color(0x96, 0xd9, 0x8d)};
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    /** One line of a panel: its legend and a value per scrape (NaN where the query had none). */
    record Line(String legend, double[] values) {
    }

    private DashboardPlot() {
    }

    /**
     * @param note a line under the title saying where the data came from
     */
    static BufferedImage render(Dashboard dashboard, Scrapes scrapes, long rateIntervalMillis, String note) {
        int rows = 0;
        for (Dashboard.Panel p : dashboard.panels()) {
            rows = Math.max(rows, p.y() + p.h());
        }
        int height = HEADER + rows * GRID_ROW + GAP;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
            g.drawString(dashboard.title(), GAP + 4, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(DIM);
            g.drawString(note, GAP + 4, 50);
            double column = (WIDTH - GAP) / 24.0;
            for (Dashboard.Panel p : dashboard.panels()) {
                int x = (int) Math.round(GAP + p.x() * column);
                int y = HEADER + p.y() * GRID_ROW;
                int w = (int) Math.round(p.w() * column) - GAP;
                int h = p.h() * GRID_ROW - GAP;
                panel(g, p, lines(p, scrapes, rateIntervalMillis), scrapes, x, y, w, h);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Every target of {@code panel} evaluated at every scrape, one line per series. */
    static List<Line> lines(Dashboard.Panel panel, Scrapes scrapes, long rateIntervalMillis) {
        Map<String, double[]> lines = new LinkedHashMap<>();
        for (Dashboard.Target t : panel.targets()) {
            PromQl.Expr expr = PromQl.parse(t.expr());
            for (int i = 0; i < scrapes.size(); i++) {
                PromQl.Value v = expr.eval(new PromQl.At(scrapes, i, rateIntervalMillis));
                if (v.scalar != null) {
                    line(lines, t.legendFormat().isEmpty() ? t.expr() : t.legendFormat(), scrapes.size())[i] = v.scalar;
                    continue;
                }
                int index = i;
                v.vector.forEach((labels, value) -> line(lines, legend(t, labels), scrapes.size())[index] = value);
            }
        }
        List<Line> out = new ArrayList<>();
        lines.forEach((legend, values) -> out.add(new Line(legend, values)));
        return out;
    }

    private static double[] line(Map<String, double[]> lines, String legend, int n) {
        return lines.computeIfAbsent(legend, l -> {
            double[] values = new double[n];
            java.util.Arrays.fill(values, Double.NaN);
            return values;
        });
    }

    private static String legend(Dashboard.Target t, Map<String, String> labels) {
        if (t.legendFormat().isEmpty()) {
            return labels.toString();
        }
        Matcher m = PLACEHOLDER.matcher(t.legendFormat());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(labels.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString().replace("converge.context.v1.ContextService/", "").strip();
    }

    private static void panel(Graphics2D g, Dashboard.Panel p, List<Line> lines, Scrapes scrapes, int x, int y, int w,
                              int h) {
        g.setColor(PANEL);
        g.fillRect(x, y, w, h);
        g.setColor(BORDER);
        g.drawRect(x, y, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(TEXT);
        g.drawString(p.title(), x + 10, y + 20);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int legendRows = legendRows(fm, lines, w - 20);
        int left = x + 70;
        int right = x + w - 12;
        int top = y + 32;
        int bottom = y + h - 22 - legendRows * 16;
        double max = 0;
        for (Line l : lines) {
            for (double v : l.values()) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double yMax = axisMax(p.unit(), max);
        for (int t = 0; t <= 4; t++) {
            int gy = bottom - (bottom - top) * t / 4;
            g.setColor(GRID);
            g.drawLine(left, gy, right, gy);
            g.setColor(DIM);
            String label = Units.format(p.unit(), yMax * t / 4);
            g.drawString(label, left - 6 - fm.stringWidth(label), gy + 4);
        }
        long t0 = scrapes.get(0).epochMillis();
        double span = Math.max(1, scrapes.get(scrapes.size() - 1).epochMillis() - t0) / 1000.0;
        double step = span <= 60 ? 10 : span <= 180 ? 30 : 60;
        for (double s = 0; s <= span + 1e-9; s += step) {
            int gx = (int) (left + (right - left) * s / span);
            g.setColor(GRID);
            g.drawLine(gx, top, gx, bottom);
            g.setColor(DIM);
            String label = (long) s + " s";
            g.drawString(label, gx - fm.stringWidth(label) / 2, bottom + 14);
        }
        g.setStroke(new BasicStroke(1.8f));
        for (int i = 0; i < lines.size(); i++) {
            g.setColor(PALETTE[i % PALETTE.length]);
            Path2D.Double path = new Path2D.Double();
            boolean drawing = false;
            double[] values = lines.get(i).values();
            for (int j = 0; j < values.length; j++) {
                if (!Double.isFinite(values[j])) {
                    drawing = false;
                    continue;
                }
                double px = left + (right - left) * ((scrapes.get(j).epochMillis() - t0) / 1000.0) / span;
                double py = bottom - (bottom - top) * Math.min(1, values[j] / yMax);
                if (drawing) {
                    path.lineTo(px, py);
                } else {
                    path.moveTo(px, py);
                    drawing = true;
                }
            }
            g.draw(path);
        }
        g.setStroke(new BasicStroke(1f));
        int lx = x + 10;
        int ly = bottom + 32;
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).legend();
            int width = 18 + fm.stringWidth(text) + 16;
            if (lx + width > x + w - 10 && lx > x + 10) {
                lx = x + 10;
                ly += 16;
            }
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(lx, ly - 8, 12, 4);
            g.setColor(TEXT);
            g.drawString(text, lx + 18, ly - 2);
            lx += width;
        }
        if (lines.isEmpty()) {
            g.setColor(DIM);
            g.drawString("no data", (left + right) / 2 - 20, (top + bottom) / 2);
        }
    }

    private static int legendRows(FontMetrics fm, List<Line> lines, int width) {
        int rows = 1;
        int used = 0;
        for (Line l : lines) {
            int w = 18 + fm.stringWidth(l.legend()) + 16;
            if (used + w > width && used > 0) {
                rows++;
                used = 0;
            }
            used += w;
        }
        return rows;
    }

    /** The top of the y axis: a round number at or above {@code max}, in the unit's own steps (1024 for bytes). */
    static double axisMax(String unit, double max) {
        if (max <= 0) {
            return 1;
        }
        double scale = 1;
        if (unit.equals("bytes")) {
            while (max / scale >= 1024) {
                scale *= 1024;
            }
        }
        return niceCeiling(max / scale) * scale;
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten at or above {@code v}. */
    static double niceCeiling(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= v * (1 - 1e-12)) {
                return m * power;
            }
        }
        return 10 * power;
    }

    /** Axis labels in Grafana's units. */
    static final class Units {
        private Units() {
        }

        static String format(String unit, double v) {
            return switch (unit) {
                case "s" -> v == 0 ? "0" : v < 1e-3 ? trim(v * 1e6) + " µs" : v < 1 ? trim(v * 1e3) + " ms"
                    : trim(v) + " s";
                case "bytes" -> binary(v);
                case "percentunit" -> trim(v * 100) + "%";
                case "ops" -> decimal(v) + " ops/s";
                default -> decimal(v);
            };
        }

        private static String binary(double v) {
            String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
            int u = 0;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return trim(v) + " " + units[u];
        }

        private static String decimal(double v) {
            String[] units = {"", "K", "M", "G"};
            int u = 0;
            while (Math.abs(v) >= 1000 && u < units.length - 1) {
                v /= 1000;
                u++;
            }
            return trim(v) + units[u];
        }

        private static String trim(double v) {
            if (v == Math.rint(v)) {
                return Long.toString((long) v);
            }
            return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.2f" : "%.1f", v).replaceAll("\\.?0+$", "");
        }
    }
}
