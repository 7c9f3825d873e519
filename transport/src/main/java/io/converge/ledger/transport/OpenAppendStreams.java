package io.converge.ledger.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The AppendStream calls open now, so that a shutdown can end each honestly: it answers
 * the batches it has in hand, then ends with UNAVAILABLE. Thread-safe.
 */
final class OpenAppendStreams {
    private final Set<AppendStreamCall> open = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    /** Adds a new call; one that arrives once shutdown began is told at once. */
    void add(AppendStreamCall call) {
        open.add(call);
        if (shuttingDown) {
            call.shutdown();
        }
    }

    void remove(AppendStreamCall call) {
        open.remove(call);
    }

    /** Tells every open call, and every later one, that the server is shutting down. */
    void shutdown() {
        shuttingDown = true;
        for (AppendStreamCall call : open) {
            call.shutdown();
        }
    }

    int size() {
        return open.size();
    }
}
