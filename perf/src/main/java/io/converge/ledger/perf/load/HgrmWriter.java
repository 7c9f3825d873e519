package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a histogram of ns latencies as HdrHistogram's percentile distribution text
 * ({@code .hgrm}), with values scaled to microseconds: the format HdrHistogram's plotter
 * and most tooling read. Stateless.
 */
final class HgrmWriter {
    /** Histograms hold ns; files show µs. */
    static final double NANOS_PER_MICRO = 1000.0;

    private HgrmWriter() {
    }

    static void write(Path file, Histogram histogram) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
             PrintStream ps = new PrintStream(os, false, StandardCharsets.UTF_8)) {
            histogram.outputPercentileDistribution(ps, NANOS_PER_MICRO);
        }
    }
}
