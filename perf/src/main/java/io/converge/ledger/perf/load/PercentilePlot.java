package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page (inline SVG, no scripts, nothing fetched) plotting latency
 * against percentile the way HdrHistogram's plotter does: x is {@code 1/(1-p)} on a log
 * scale (0%, 90%, 99%, 99.9%, ... evenly spaced), y is latency in µs on a linear scale.
 * One series per histogram, plus the run's parameters and a table of percentiles.
 * Stateless.
 */
final class PercentilePlot {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 30;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};
    /** Percentile iteration resolution: points per halving of the distance to 100%. */
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    /** One line of the plot: a name and a histogram of ns latencies. */
    record Series(String name, Histogram histogram) {
    }

    private PercentilePlot() {
    }

    /**
     * The page.
     *
     * @param title      the heading
     * @param parameters shown as a table, in iteration order
     * @param series     the lines, in legend order; empty histograms are listed but not drawn
     */
    static String html(String title, Map<String, String> parameters, List<Series> series) {
        StringBuilder b = new StringBuilder(16 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .append(escape(title)).append("</title>\n<style>\n")
            .append("body{font-family:sans-serif;margin:2em;color:#222}")
            .append("table{border-collapse:collapse;margin:1em 0}")
            .append("td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}")
            .append("th:first-child,td:first-child{text-align:left}\n</style>\n</head>\n<body>\n<h1>")
            .append(escape(title)).append("</h1>\n<h2>Parameters</h2>\n<table>\n");
        parameters.forEach((k, v) -> b.append("<tr><td>").append(escape(k)).append("</td><td>").append(escape(v))
            .append("</td></tr>\n"));
        b.append("</table>\n<h2>Latency by percentile</h2>\n");
        svg(b, series);
        b.append("\n<table>\n<tr><th>series (µs)</th><th>count</th><th>p50</th><th>p90</th><th>p99</th>")
            .append("<th>p99.9</th><th>p99.99</th><th>max</th></tr>\n");
        for (Series s : series) {
            b.append("<tr><td>").append(escape(s.name())).append("</td><td>").append(s.histogram().getTotalCount())
                .append("</td>");
            LatencyReport.points(s.histogram()).values().forEach(v -> b.append("<td>").append(v).append("</td>"));
            b.append("</tr>\n");
        }
        return b.append("</table>\n<p>x axis: percentile on a 1/(1-p) log scale; y axis: latency in µs.</p>\n")
            .append("</body>\n</html>\n").toString();
    }

    private static void svg(StringBuilder b, List<Series> series) {
        long maxCount = 1;
        long maxNanos = 1;
        for (Series s : series) {
            maxCount = Math.max(maxCount, s.histogram().getTotalCount());
            maxNanos = Math.max(maxNanos, s.histogram().getMaxValue());
        }
        int decades = (int) Math.max(2, Math.min(7, Math.ceil(Math.log10(maxCount))));
        double yMax = niceCeiling(maxNanos / HgrmWriter.NANOS_PER_MICRO);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
            + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\""
            + " stroke=\"#888\"/>\n", LEFT, TOP, plotW, plotH));
        for (int d = 0; d <= decades; d++) {
            double x = LEFT + plotW * (double) d / decades;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP, x, TOP + plotH, x,
                TOP + plotH + 18, percentLabel(d)));
        }
        for (int t = 0; t <= 5; t++) {
            double y = TOP + plotH - plotH * t / 5.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT, y, LEFT + plotW, y, LEFT - 6,
                y + 4, trim(yMax * t / 5)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n",
            LEFT + plotW / 2, HEIGHT - 15));
        b.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18"
            + " %d)\">latency (µs)</text>\n", TOP + plotH / 2, TOP + plotH / 2));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            if (s.histogram().getTotalCount() > 0) {
                b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"");
                for (double[] p : points(s.histogram(), decades)) {
                    b.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * p[0] / decades,
                        TOP + plotH - plotH * Math.min(1, p[1] / yMax)));
                }
                b.append("\"><title>").append(escape(s.name())).append("</title></polyline>\n");
            }
            int ly = TOP + 18 + 18 * i;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                + " stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + 12, ly - 4, LEFT + 36, ly - 4,
                colour, LEFT + 42, ly, escape(s.name() + " (n=" + s.histogram().getTotalCount() + ")")));
        }
        b.append("</svg>");
    }

    /** (x in decades of 1/(1-p), y in µs) pairs, x clamped to {@code decades} (p = 100% is infinite). */
    static List<double[]> points(Histogram h, int decades) {
        List<double[]> points = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(TICKS_PER_HALF_DISTANCE)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            double x = p >= 1 ? decades : Math.min(decades, Math.log10(1 / (1 - p)));
            points.add(new double[] {x, v.getValueIteratedTo() / HgrmWriter.NANOS_PER_MICRO});
        }
        return points;
    }

    private static String percentLabel(int decade) {
        if (decade == 0) {
            return "0%";
        }
        StringBuilder s = new StringBuilder("99");
        if (decade == 1) {
            return "90%";
        }
        if (decade > 2) {
            s.append('.').append("9".repeat(decade - 2));
        }
        return s.append('%').toString();
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten at or above {@code v}. */
    static double niceCeiling(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-3))));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= v) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
