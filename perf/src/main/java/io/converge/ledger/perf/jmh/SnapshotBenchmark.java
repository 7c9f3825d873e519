package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.SnapshotResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code Ledger.snapshot} of one context: view, size, encode and checksum every entry into
 * a fresh blob, on the calling thread. Time per snapshot, sampled, in milliseconds.
 *
 * <p>The context is a {@link FilledLedger}'s: with its defaults a blob of about 10 MB.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class SnapshotBenchmark {
    @Benchmark
    public SnapshotResult snapshot(FilledLedger filled) {
        return filled.ledger.snapshot(FilledLedger.CONTEXT);
    }
}
