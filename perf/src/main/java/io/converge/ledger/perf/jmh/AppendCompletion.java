package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.LedgerException;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The callback of one append that a benchmark waits for: because the ring completes
 * commands in order, its completion means every append published before it completed
 * too. One instance per append; {@link #await} may be called from any thread.
 */
final class AppendCompletion implements AppendCallback {
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile LedgerException rejection;

    @Override
    public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
        done.countDown();
    }

    @Override
    public void onRejected(LedgerException reason) {
        rejection = reason;
        done.countDown();
    }

    /**
     * Waits until the append completed.
     *
     * @param timeoutSeconds the longest wait, in seconds
     * @throws IllegalStateException when it did not complete in time or was refused
     */
    void await(long timeoutSeconds) {
        try {
            if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the append did not complete within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an append", e);
        }
        if (rejection != null) {
            throw new IllegalStateException("the append was refused: " + rejection, rejection);
        }
    }
}
