package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.Ledger;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH state of the read benchmarks: one ledger whose context {@link #CONTEXT} holds
 * {@code entries} entries of {@code payloadBytes} bytes each (each its own array), key
 * {@code ""}, no metadata, filled once per fork and shared by every benchmark thread.
 */
@State(Scope.Benchmark)
public class FilledLedger {
    static final String CONTEXT = "jmh-read";

    /** Entries in the context. */
    @Param({"100000"})
    public int entries;

    /** Size of every payload, in bytes. */
    @Param({"64"})
    public int payloadBytes;

    Ledger ledger;

    @Setup(Level.Trial)
    public void fill() {
        ledger = Ledger.start(BenchmarkLedgers.config());
        ContextFixture.fill(ledger, CONTEXT, entries, payloadBytes);
    }

    @TearDown(Level.Trial)
    public void stop() {
        ledger.close();
    }
}
