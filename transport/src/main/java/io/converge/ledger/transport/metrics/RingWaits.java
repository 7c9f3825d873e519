package io.converge.ledger.transport.metrics;

/**
 * How calls fared that found the ledger's command ring full: counted by the transport as
 * they wait for room (without blocking a transport thread), read by the metrics when
 * scraped. Implementations are thread-safe.
 */
public interface RingWaits {
    /** Calls that found the ring full and waited, since start. */
    long waited();

    /** Of those, the calls refused with RESOURCE_EXHAUSTED because their wait ran out. */
    long refused();

    /** The longest any call waited for room, published or refused, in nanoseconds, since start. */
    long longestWaitNanos();
}
