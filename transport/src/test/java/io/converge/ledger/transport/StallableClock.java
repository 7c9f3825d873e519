package io.converge.ledger.transport;

import io.converge.ledger.core.EpochNanoClock;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The ledger's clock, which a test can stall: the sequencer reads the clock once per ring
 * batch, so while stalled it stops sequencing and the ring fills up, as under overload.
 * A stall never outlasts {@link #MAX_STALL_SECONDS}, so a failed test cannot hang the
 * server. Thread-safe.
 */
final class StallableClock implements LongSupplier {
    static final long MAX_STALL_SECONDS = 10;

    private volatile CountDownLatch gate;
    private volatile CountDownLatch held = new CountDownLatch(1);

    /** The next read of the clock, and every one after it until {@link #release}, waits. */
    void stall() {
        held = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    /** Waits until the sequencer is held by the stall. */
    void awaitHeld() throws InterruptedException {
        if (!held.await(MAX_STALL_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the sequencer did not read the clock within " + MAX_STALL_SECONDS + " s");
        }
    }

    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    @Override
    public long getAsLong() {
        CountDownLatch g = gate;
        if (g != null) {
            held.countDown();
            try {
                g.await(MAX_STALL_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return EpochNanoClock.SYSTEM.getAsLong();
    }
}
