package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.SnapshotResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code Ledger.snapshot} of one context: view, size, encode and checksum every entry into
 * a fresh blob, on the calling thread. Time per snapshot, sampled, in milliseconds.
 *
 * <p>The context holds {@code entries} entries of {@code payloadBytes} bytes each (each
 * its own array), key {@code ""}, no metadata, filled once per fork: with the defaults a
 * blob of about 10 MB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class SnapshotBenchmark {
    static final String CONTEXT = "jmh-snapshot";

    /** Entries in the context. */
    @Param({"100000"})
    public int entries;

    /** Size of every payload, in bytes. */
    @Param({"64"})
    public int payloadBytes;

    private Ledger ledger;

    @Setup(Level.Trial)
    public void fill() {
        ledger = Ledger.start(BenchmarkLedgers.config());
        ContextFixture.fill(ledger, CONTEXT, entries, payloadBytes);
    }

    @TearDown(Level.Trial)
    public void stop() {
        ledger.close();
    }

    @Benchmark
    public SnapshotResult snapshot() {
        return ledger.snapshot(CONTEXT);
    }
}
