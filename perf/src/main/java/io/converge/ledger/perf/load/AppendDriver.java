package io.converge.ledger.perf.load;

/**
 * Issues a run's Appends, closed or open loop. {@link #run} is called once, from one
 * thread; it returns when the measured phase is over and every call it issued has been
 * answered, or the drain wait has passed.
 */
interface AppendDriver {
    /** How long {@link #run} waits for calls still in flight after the measured phase. */
    long DRAIN_WAIT_NANOS = 10_000_000_000L;

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
