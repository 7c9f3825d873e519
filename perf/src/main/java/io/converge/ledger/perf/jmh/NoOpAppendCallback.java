package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.LedgerException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The callback of every measured append: ignores success, counts refusals so that a
 * benchmark can fail an iteration in which any append was not accepted. One shared
 * instance; thread-safe.
 */
enum NoOpAppendCallback implements AppendCallback {
    INSTANCE;

    private static final AtomicLong REJECTED = new AtomicLong();
    private static volatile LedgerException lastRejection;

    @Override
    public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
    }

    @Override
    public void onRejected(LedgerException reason) {
        lastRejection = reason;
        REJECTED.incrementAndGet();
    }

    /**
     * Fails when any append was refused since the last call, and resets the count.
     *
     * @throws IllegalStateException naming the count and the last refusal
     */
    static void checkNoneRejected() {
        long rejected = REJECTED.getAndSet(0);
        if (rejected != 0) {
            throw new IllegalStateException(rejected + " appends were refused; the last: " + lastRejection,
                lastRejection);
        }
    }
}
