package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.RingBaseline;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The limit as an {@link AppendTarget}: the ledger's ring and producer path, consumed by a
 * handler that does nothing. It calls no callback, so {@link #drain} watches the ring's
 * free capacity instead.
 */
final class RingBaselineAppendTarget implements AppendTarget {
    private final RingBaseline ring;
    private final int ringSize;

    RingBaselineAppendTarget(LedgerConfig config) {
        this.ring = RingBaseline.start(config);
        this.ringSize = config.ringSize();
    }

    @Override
    public void append(String contextId, String key, byte[] payload, Map<String, String> metadata,
                       AppendCallback callback) {
        ring.append(contextId, key, payload, metadata, callback);
    }

    /** Waits until every slot is free again: the handler has consumed every published append. */
    @Override
    public void drain(long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (ring.ringRemainingCapacity() < ringSize) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("the ring still held " + (ringSize - ring.ringRemainingCapacity())
                    + " appends after " + timeoutSeconds + " s");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    @Override
    public void close() {
        ring.close();
    }
}
