package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.LedgerConfig;

import java.util.concurrent.TimeUnit;

/** The ledger configuration every benchmark starts from. Stateless. */
final class BenchmarkLedgers {
    /**
     * How long a producer waits for a free ring slot before the append is refused, in
     * nanoseconds: long enough to ride out a GC pause of the ring's threads, so that a full
     * ring slows producers down (back-pressure) instead of failing the run.
     */
    static final long RING_FULL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private BenchmarkLedgers() {
    }

    /**
     * The defaults (ring size, wait strategy, clock) with no memory budget, so that no
     * append is refused for memory: a benchmark bounds the heap by restarting the ledger.
     */
    static LedgerConfig config() {
        return LedgerConfig.defaults()
            .withMemoryBudgetBytes(Long.MAX_VALUE)
            .withRingFullWaitNanos(RING_FULL_WAIT_NANOS);
    }
}
