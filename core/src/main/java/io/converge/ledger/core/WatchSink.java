package io.converge.ledger.core;

/**
 * Where a watch delivers entries: the transport's end of one Watch stream.
 *
 * <p>The ledger calls these methods from one thread at a time per sink (never
 * concurrently), on its watch-delivery threads. It delivers only while
 * {@link #isReady()} is true and resumes when told through
 * {@link WatchSubscription#resume()}, so a sink never has to buffer.
 */
public interface WatchSink {
    /** True when the sink can take an entry now without buffering beyond its flow-control window. */
    boolean isReady();

    /** Delivers the next matching entry, in ascending sequence order. */
    void onEntry(Entry entry);

    /** The ledger is shutting down: the watch ends, no more entries follow. Called at most once. */
    void onClosed();
}
