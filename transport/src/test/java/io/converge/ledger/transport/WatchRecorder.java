package io.converge.ledger.transport;

import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;

import java.util.List;

/**
 * The client end of one Watch: records every entry it receives and how the stream ended.
 * Either reads as fast as entries come (gRPC's automatic flow control) or asks for
 * messages itself ({@link #manual}), so a test can pause and resume it. Every wait is
 * bounded. Thread-safe.
 */
final class WatchRecorder extends StreamRecorder<WatchRequest, WatchEvent, Entry> {
    private WatchRecorder(int initialRequest) {
        super(WatchEvent::getEntry, "entries", initialRequest);
    }

    /** Reads every entry as it comes. */
    static WatchRecorder automatic() {
        return new WatchRecorder(-1);
    }

    /** Asks for {@code initial} entries, then for no more until {@link #request}. */
    static WatchRecorder manual(int initial) {
        return new WatchRecorder(initial);
    }

    /** Waits until at least {@code n} entries arrived; fails when the stream ended or time ran out first. */
    List<Entry> awaitEntries(int n) throws InterruptedException {
        return awaitItems(n);
    }

    List<Entry> entries() {
        return items();
    }

    List<Long> sequences() {
        return ContractSupport.sequences(items());
    }
}
