package io.converge.ledger.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The registry of watchers by context, and the wake-up of those whose context got new
 * entries. Confined to the completion thread: it is the one writer and the one reader.
 *
 * <p>Waking is coalesced per ring batch: an append only marks its context; at the end of
 * the batch each marked context's watchers are signalled once. A signal is O(1) and never
 * waits for a watcher, so a slow watcher cannot hold the ring.
 */
final class WatchFanOut {
    private final HashMap<String, Watchers> byContext = new HashMap<>();
    private final List<Watchers> marked = new ArrayList<>();
    private final LedgerStats stats;
    private int open;

    WatchFanOut(LedgerStats stats) {
        this.stats = stats;
    }

    void add(WatchCursor cursor) {
        if (cursor.isCancelled()) {
            return;
        }
        byContext.computeIfAbsent(cursor.contextId(), k -> new Watchers()).cursors.add(cursor);
        stats.watchers(++open);
        cursor.signal();
    }

    void remove(WatchCursor cursor) {
        Watchers watchers = byContext.get(cursor.contextId());
        if (watchers != null && watchers.cursors.remove(cursor)) {
            stats.watchers(--open);
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

    void endOfBatch() {
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

    /** Ends every watch: each delivers what it can, then its sink is closed. */
    void closeAll() {
        for (Watchers watchers : byContext.values()) {
            for (WatchCursor cursor : watchers.cursors) {
                cursor.close();
            }
        }
        byContext.clear();
        marked.clear();
        open = 0;
        stats.watchers(0);
    }

    private static final class Watchers {
        final ArrayList<WatchCursor> cursors = new ArrayList<>(2);
        boolean marked;
    }
}
