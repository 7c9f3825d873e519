package io.converge.ledger.perf.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Issues a run's Appends, closed or open loop. {@link #run} is called once, from one
 * thread; it returns when the measured phase is over and every call it issued has been
 * answered, or the drain wait has passed.
 */
interface AppendDriver {
    /** How long {@link #run} waits for calls still in flight after the measured phase. */
    long DRAIN_WAIT_NANOS = 10_000_000_000L;

    /**
     * Waits at most {@link #DRAIN_WAIT_NANOS} for {@code inFlight}, counted down once per
     * caller (or stream) as its last call is answered.
     *
     * @return the callers (or streams) still waiting for an answer
     */
    static long drain(CountDownLatch inFlight) throws InterruptedException {
        inFlight.await(DRAIN_WAIT_NANOS, TimeUnit.NANOSECONDS);
        return inFlight.getCount();
    }

    /**
     * Runs warmup and the measured phase of {@code window}, recording into the driver's
     * histograms and {@code outcomes}.
     *
     * @return calls still unanswered after the drain wait (0 when all came back)
     */
    long run(MeasurementWindow window) throws InterruptedException;

    /** Open loop: sends (Appends or batches) that waited for a free slot in flight. Read after {@link #run}. */
    default long capWaits() {
        return 0;
    }

    /** Open loop: intended sends given up, still pending a grace second after the run ended. */
    default long unsent() {
        return 0;
    }

    /** Open loop: the sender thread's CPU time per send, in ns; -1 in the closed loop or when unknown. */
    default long senderCpuNanosPerSend() {
        return -1;
    }
}
