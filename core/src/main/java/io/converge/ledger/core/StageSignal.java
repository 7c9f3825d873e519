package io.converge.ledger.core;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.WaitStrategy;

/**
 * How a ring handler lets the handler after it know, at the end of each of its batches,
 * that it moved on: with the parking wait a downstream handler may be parked waiting for
 * this one's progress, not the publishers', so this one makes its progress visible and
 * wakes it. With any other wait strategy (which spins or blocks on its own) it does nothing.
 * Each handler that has a successor owns one; confined to that handler's thread.
 */
final class StageSignal {
    private final WaitStrategy downstream;
    private Sequence progress;

    /** @param wait the ring's wait strategy */
    StageSignal(WaitStrategy wait) {
        this.downstream = wait instanceof SpinYieldParkWaitStrategy ? wait : null;
    }

    /** The handler's own sequence, as the Disruptor hands it over ({@code setSequenceCallback}). */
    void track(Sequence handlerSequence) {
        this.progress = handlerSequence;
    }

    /** At the end of a batch: the handler is done with everything up to {@code ringSequence}. */
    void batchDone(long ringSequence) {
        if (downstream != null) {
            progress.setVolatile(ringSequence); // before the signal, or the woken handler could miss it
            downstream.signalAllWhenBlocking();
        }
    }
}
