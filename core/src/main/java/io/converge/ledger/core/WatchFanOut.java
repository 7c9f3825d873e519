package io.converge.ledger.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The registry of watchers by context, and the wake-up of those whose context got new
 * entries. Confined to the completion thread, the one writer and reader of the registry,
 * except {@link #subscribe}, {@link #unsubscribe} and {@link #changed}, which any thread
 * may call: they hand the cursor over through queues that the completion thread drains
 * (before each command and at the end of each ring batch), so watching, parking and
 * cancelling never take a ring slot or wait for one.
 *
 * <p>Waking is coalesced per ring batch: an append only marks its context; at the end of
 * the batch each marked context's <em>unparked</em> watchers are signalled once. A parked
 * cursor (its sink was not ready) is out of its context's signal list, so a stalled
 * watcher costs an append nothing; it rejoins (O(1), by its slot) when it unparks. A
 * signal is O(1) and never waits for a watcher, so a slow watcher cannot hold the ring. A
 * watcher subscribed or unparked while the ring is idle reads the log on its own and is
 * registered before the next command's signals go out, so it misses no entry.
 */
final class WatchFanOut {
    private final ConcurrentLinkedQueue<WatchCursor> arrivals = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<WatchCursor> changes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<WatchCursor> departures = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    /** Every open cursor, parked or not. */
    private final HashSet<WatchCursor> open = new HashSet<>();
    /** The unparked cursors of each context, the ones its appends signal. */
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

    /** Any thread: the cursor was cancelled; it is dropped from the registry before the next command. */
    void unsubscribe(WatchCursor cursor) {
        if (!closed) {
            stats.watchers(-1);
        }
        departures.add(cursor);
    }

    /** Any thread: the cursor parked or unparked; the registry follows before the next command. */
    void changed(WatchCursor cursor) {
        changes.add(cursor);
    }

    /** Puts the cursor in or out of its context's signal list, as its state now says. */
    private void reconcile(WatchCursor cursor) {
        boolean wanted = !cursor.isCancelled() && !cursor.isParked() && open.contains(cursor);
        if (wanted && cursor.slot < 0) {
            Watchers watchers = byContext.computeIfAbsent(cursor.contextId(), Watchers::new);
            cursor.slot = watchers.cursors.size();
            watchers.cursors.add(cursor);
        } else if (!wanted && cursor.slot >= 0) {
            Watchers watchers = byContext.get(cursor.contextId());
            ArrayList<WatchCursor> cursors = watchers.cursors;
            int slot = cursor.slot;
            WatchCursor last = cursors.remove(cursors.size() - 1);
            if (last != cursor) {
                cursors.set(slot, last);
                last.slot = slot;
            }
            cursor.slot = -1;
            if (cursors.isEmpty() && !watchers.marked) {
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
     * Applies the subscriptions, parkings and cancellations handed over so far: the
     * completion thread calls it before each command, so a watch subscribed (or unparked)
     * before an append was published is registered before that append is answered (and is
     * signalled for it).
     */
    void admitArrivals() {
        for (WatchCursor c; (c = arrivals.poll()) != null; ) {
            if (!c.isCancelled()) {
                open.add(c);
                reconcile(c);
                c.signal();
            }
        }
        for (WatchCursor c; (c = changes.poll()) != null; ) {
            reconcile(c);
        }
        for (WatchCursor c; (c = departures.poll()) != null; ) {
            open.remove(c);
            reconcile(c);
        }
    }

    void endOfBatch() {
        admitArrivals();
        for (int i = 0, n = marked.size(); i < n; i++) {
            Watchers watchers = marked.get(i);
            watchers.marked = false;
            ArrayList<WatchCursor> cursors = watchers.cursors;
            for (int j = 0, m = cursors.size(); j < m; j++) {
                cursors.get(j).signal();
            }
            if (cursors.isEmpty()) {
                byContext.remove(watchers.contextId, watchers);
            }
        }
        marked.clear();
    }

    /** Cursors in a signal list now (parked ones are not); completion thread, or tests once the ring is idle. */
    int signalled() {
        int n = 0;
        for (Watchers w : byContext.values()) {
            n += w.cursors.size();
        }
        return n;
    }

    /** Ends every watch: each delivers what it can, then its sink is closed; later subscribers are closed at once. */
    void closeAll() {
        closed = true;
        for (WatchCursor c; (c = arrivals.poll()) != null; ) {
            c.close();
        }
        changes.clear();
        departures.clear();
        for (WatchCursor cursor : open) {
            cursor.close();
        }
        open.clear();
        byContext.clear();
        marked.clear();
        stats.noWatchers();
    }

    private static final class Watchers {
        final String contextId;
        final ArrayList<WatchCursor> cursors = new ArrayList<>(2);
        boolean marked;

        Watchers(String contextId) {
            this.contextId = contextId;
        }
    }
}
