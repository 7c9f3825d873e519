package io.converge.ledger.core;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

/**
 * The ledger's default wait: a consumer with nothing to do spins for about a microsecond,
 * then yields its core for up to {@link #YIELD_NANOS}, then parks until signalled. Made for
 * machines with fewer cores than busy threads (the ring's two consumers, gRPC's event loops
 * and, in a benchmark, the client): a waiting consumer gives its core away within
 * microseconds, yet a burst that arrives within the yield window costs no wake-up, and a
 * signal costs a publisher one volatile read while no consumer is parked.
 *
 * <p>Publishers signal on every publish ({@link #signalAllWhenBlocking()}). A downstream
 * handler waits for its upstream handler's progress, not the ring's, so the upstream handler
 * must make its progress visible and then signal after each batch (the {@link Sequencer}
 * does). A consumer announces itself before its last check, and parks with a timeout too,
 * so no signal is lost for longer than {@link #PARK_NANOS}.
 *
 * <p>Thread-safe; meant for at most {@link #MAX_PARKED} consumer threads (more fall back to
 * yielding).
 */
final class SpinYieldParkWaitStrategy implements WaitStrategy {
    static final int MAX_PARKED = 8;
    /** About a microsecond of {@link Thread#onSpinWait()} (12 ns each where measured). */
    private static final int SPINS = 100;
    static final long YIELD_NANOS = 50_000;
    static final long PARK_NANOS = 1_000_000;

    private final AtomicReferenceArray<Thread> parked = new AtomicReferenceArray<>(MAX_PARKED);
    private final AtomicInteger parkedCount = new AtomicInteger();
    /**
     * Whether a ring sequence is published, once the ring exists. A multi-producer ring's
     * cursor moves when a publisher claims, before it publishes; the first handler, which
     * waits on that cursor, would otherwise spin flat out while a publisher fills a claimed
     * batch, taking the core the publisher needs.
     */
    private volatile LongPredicate published;

    /** Makes the first handler wait for {@code sequence} to be published, not only claimed. */
    void waitForPublication(LongPredicate isPublished) {
        this.published = isPublished;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
        throws AlertException {
        long available;
        int spins = 0;
        long yieldUntil = 0;
        LongPredicate isPublished = dependentSequence == cursor ? published : null;
        while ((available = dependentSequence.get()) < sequence
            || isPublished != null && !isPublished.test(sequence)) {
            barrier.checkAlert();
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (yieldUntil == 0) {
                yieldUntil = now + YIELD_NANOS;
            }
            if (now - yieldUntil < 0) {
                Thread.yield();
                continue;
            }
            park(sequence, dependentSequence);
        }
        return available;
    }

    private void park(long sequence, Sequence dependentSequence) {
        Thread me = Thread.currentThread();
        int slot = -1;
        for (int i = 0; i < MAX_PARKED && slot < 0; i++) {
            if (parked.compareAndSet(i, null, me)) {
                slot = i;
            }
        }
        if (slot < 0) {
            Thread.yield();
            return;
        }
        parkedCount.incrementAndGet();
        try {
            if (!ready(sequence, dependentSequence)) { // checked after announcing: a signal from now on unparks us
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        } finally {
            parked.set(slot, null);
            parkedCount.decrementAndGet();
        }
    }

    private boolean ready(long sequence, Sequence dependentSequence) {
        LongPredicate isPublished = published;
        return dependentSequence.get() >= sequence && (isPublished == null || isPublished.test(sequence));
    }

    @Override
    public void signalAllWhenBlocking() {
        if (parkedCount.get() != 0) {
            for (int i = 0; i < MAX_PARKED; i++) {
                Thread t = parked.get(i);
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
        }
    }
}
