package io.converge.ledger.perf.gate;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.LedgerException;
import io.converge.ledger.core.RingBaseline;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Measures appends per second into the core from one producer thread (the caller's), to
 * one context, with one shared 64-byte payload: into a fresh {@link Ledger}, or into the
 * {@link RingBaseline#startWritingRecords record-writing ring baseline} (the same ring, and a
 * handler that writes the same records into reused direct memory and does nothing else: an
 * upper bound of the ledger that moves with the machine's memory and hand-off speed). A measurement runs for
 * the given time and then until every append was consumed, and the rate counts that
 * drain too. Not thread-safe.
 *
 * <p>A {@linkplain PlantedSlowdown planted} spin is added on the producer thread before each
 * ledger append, and never to the ring: that is the caller's side of {@link Ledger#append},
 * which every append passes in series, so each append's path grows by the spin whatever the
 * other threads do. On the completion thread the spin would first fill that thread's idle
 * time between batches and show only beyond it, so the spin a check needed to fail would
 * depend on how busy that thread happens to be.
 */
final class CoreRateProbe {
    private static final String CONTEXT = "gate";
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final LedgerConfig config;
    private final byte[] payload;
    private final long plantedNanos;

    /** @param plantedNanos busy spin before each ledger append, in nanoseconds; 0 for none */
    CoreRateProbe(int payloadBytes, long plantedNanos) {
        // Entries accumulate during a measurement: the budget must not be what stops them.
        // A GC pause in the consumer must not make the producer's claim give up.
        this.config = LedgerConfig.defaults().withMemoryBudgetBytes(Long.MAX_VALUE)
            .withRingFullWaitNanos(TimeUnit.SECONDS.toNanos(10));
        this.payload = new byte[payloadBytes];
        this.plantedNanos = plantedNanos;
    }

    /**
     * Appends per second into a fresh ledger, sequenced and answered, for about {@code nanos}.
     * The ledger keeps its records in direct memory ({@code LedgerConfig.defaults()}), which
     * is freed only when its buffers are collected: a full GC after each measurement, outside
     * it, returns them, so that trial after trial never runs into the JVM's direct-memory
     * limit (allocation there would then wait for a GC inside a later measurement, or refuse).
     */
    double ledgerRate(long nanos) {
        CountingCallback answered = new CountingCallback();
        try (Ledger ledger = Ledger.start(config)) {
            long start = System.nanoTime();
            Appender append = (ctx, p) -> ledger.append(ctx, "", p, Map.of(), answered);
            Appender planted = (ctx, p) -> {
                PlantedSlowdown.spin(plantedNanos);
                ledger.append(ctx, "", p, Map.of(), answered);
            };
            long appended = appendFor(nanos, start, plantedNanos > 0 ? planted : append);
            awaitDrained(() -> answered.count() == appended, "ledger");
            return appended * 1e9 / (System.nanoTime() - start);
        } finally {
            System.gc();
        }
    }

    /** Appends per second through the ring and its record-writing handler alone, for about {@code nanos}. */
    double ringRate(long nanos) {
        try (RingBaseline ring = RingBaseline.startWritingRecords(config)) {
            long start = System.nanoTime();
            long appended = appendFor(nanos, start, (ctx, p) -> ring.append(ctx, "", p, Map.of(), null));
            awaitDrained(() -> ring.ringRemainingCapacity() == config.ringSize(), "ring");
            return appended * 1e9 / (System.nanoTime() - start);
        }
    }

    private long appendFor(long nanos, long start, Appender appender) {
        long end = start + nanos;
        long appended = 0;
        do {
            for (int i = 0; i < 1024; i++) {
                appender.append(CONTEXT, payload);
            }
            appended += 1024;
        } while (System.nanoTime() - end < 0);
        return appended;
    }

    private static void awaitDrained(BooleanSupplier drained, String what) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        while (!drained.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the " + what + " did not drain within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    @FunctionalInterface
    private interface Appender {
        void append(String contextId, byte[] payload);
    }

    /** Counts answers; called on the ledger's completion thread only, read by the producer. */
    private static final class CountingCallback implements AppendCallback {
        private volatile long count;

        long count() {
            return count;
        }

        @Override
        public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
            count = count + 1; // one writer: the completion thread
        }

        @Override
        public void onRejected(LedgerException reason) {
            throw new IllegalStateException("the gate's append was refused: " + reason.getMessage());
        }
    }
}
