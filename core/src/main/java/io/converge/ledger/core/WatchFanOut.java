package io.converge.ledger.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The registry of watchers by context, and the wake-up of those whose context got new
 * entries. Confined to the completion thread, the one writer and reader of the registry,
 * except {@link #subscribe} and {@link #unsubscribe}, which any thread may call: they hand
 * the cursor over through a queue that the completion thread drains (before each command and
 * at the end of each ring batch), so watching and cancelling never take a ring slot or wait
 * for one.
 *
 * <p>Waking is coalesced per ring batch: an append only marks its context; at the end of
 * the batch each marked context's watchers are signalled once. A signal is O(1) and never
 * waits for a watcher, so a slow watcher cannot hold the ring. A watcher subscribed while
 * the ring is idle replays on its own (the subscriber signals it) and is registered before
 * the next batch's signals go out, so it misses no entry.
 */
final class WatchFanOut {
    private final ConcurrentLinkedQueue<WatchCursor> arrivals = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<WatchCursor> departures = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private final HashMap<String, Watchers> byContext = new HashMap<>();
    private final List<Watchers> marked = new ArrayList<>();
    private final LedgerStats stats;

    WatchFanOut(LedgerStats stats) {
        this.stats = stats;
    }

    /**
     * Any thread: registers {@code cursor} for the signals of its context, from before the
     * completion thread's next command on. Returns false once the fan-out closed (the caller
     * closes the cursor then).
     */
    boolean subscribe(WatchCursor cursor) {
        arrivals.add(cursor);
        stats.watchers(1);
        return !closed;
    }

    /** Any thread: the cursor was cancelled; it is dropped from the registry at the end of the next ring batch. */
    void unsubscribe(WatchCursor cursor) {
        if (!closed) {
            stats.watchers(-1);
        }
        departures.add(cursor);
    }

    private void add(WatchCursor cursor) {
        if (cursor.isCancelled()) {
            return;
        }
        byContext.computeIfAbsent(cursor.contextId(), k -> new Watchers()).cursors.add(cursor);
        cursor.signal();
    }

    private void remove(WatchCursor cursor) {
        Watchers watchers = byContext.get(cursor.contextId());
        if (watchers != null && watchers.cursors.remove(cursor)) {
            if (watchers.cursors.isEmpty()) {
                byContext.remove(cursor.contextId());
            }
        }
    }

    /** The context got new entries: its watchers are signalled at {@link #endOfBatch()}. */
    void onAppended(String contextId) {
        if (byContext.isEmpty()) {
            return;
        }
        Watchers watchers = byContext.get(contextId);
        if (watchers != null && !watchers.marked) {
            watchers.marked = true;
            marked.add(watchers);
        }
    }

    /**
     * Registers the cursors subscribed so far: the completion thread calls it before each
     * command, so a watch subscribed before an append was published is registered before
     * that append is answered (and is signalled for it).
     */
    void admitArrivals() {
        for (WatchCursor c; (c = arrivals.poll()) != null; ) {
            add(c);
        }
    }

    void endOfBatch() {
        admitArrivals();
        for (WatchCursor c; (c = departures.poll()) != null; ) {
            remove(c);
        }
        for (int i = 0, n = marked.size(); i < n; i++) {
            Watchers watchers = marked.get(i);
            watchers.marked = false;
            ArrayList<WatchCursor> cursors = watchers.cursors;
            for (int j = 0, m = cursors.size(); j < m; j++) {
                cursors.get(j).signal();
            }
        }
        marked.clear();
    }

    /** Ends every watch: each delivers what it can, then its sink is closed; later subscribers are closed at once. */
    void closeAll() {
        closed = true;
        for (WatchCursor c; (c = arrivals.poll()) != null; ) {
            c.close();
        }
        departures.clear();
        for (Watchers watchers : byContext.values()) {
            for (WatchCursor cursor : watchers.cursors) {
                cursor.close();
            }
        }
        byContext.clear();
        marked.clear();
        stats.noWatchers();
    }

    private static final class Watchers {
        final ArrayList<WatchCursor> cursors = new ArrayList<>(2);
        boolean marked;
    }
}
