package io.converge.ledger.core;

/**
 * Where a watch delivers entries: the transport's end of one Watch stream.
 *
 * <p>The ledger calls these methods from one thread at a time per sink (never
 * concurrently), on its watch-delivery threads. It offers entries only while
 * {@link #isReady()} is true, and after a refused offer or a sink that was not ready it
 * waits, holding nothing but its position, until told through
 * {@link WatchSubscription#resume()}, so a sink never has to buffer.
 */
public interface WatchSink {
    /** True when the sink can take an entry now without buffering beyond its flow-control window. */
    boolean isReady();

    /**
     * Offers the next matching entry, in ascending sequence order: the published entry at
     * {@code sequence} of {@code log} (read it with {@link ContextLog#entry}). The sink may
     * hold it with others of a batch until {@link #flush()}.
     *
     * @return false when the sink cannot take it now (it did not, and will call
     *         {@link WatchSubscription#resume()} when it can); the same entry is offered again then
     */
    boolean offer(ContextLog log, long sequence);

    /** The ledger has nothing more to offer for now: whatever the sink holds must go out, not wait for more. */
    default void flush() {
    }

    /** The ledger is shutting down: the watch ends, no more entries follow. Called at most once. */
    void onClosed();

    /**
     * Delivery failed inside the ledger (a fault, not the client's doing): the watch is over
     * and freed. Called at most once, instead of {@link #onClosed()}.
     */
    default void onFailed(Throwable cause) {
        onClosed();
    }
}
