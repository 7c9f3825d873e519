package io.converge.ledger.core;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One watcher: a cursor over a context's stored entries, paced by its sink.
 *
 * <p>Replay and live delivery are the same loop: the cursor reads the entry after the
 * last one it delivered straight from the {@link ContextLog}, so there is no boundary at
 * which an entry could be missed or sent twice. It offers entries only while the sink is
 * ready, then stops holding nothing but its position; the sink's readiness
 * ({@link #resume()}) or a new entry ({@link #signal()}) wakes it again.
 *
 * <p><b>Parking.</b> A cursor whose sink was not ready (or refused an offer) is
 * <em>parked</em>: it leaves its context's signal list, so appends cost it nothing, and
 * only {@link #resume()} wakes it. When a drain catches up with the log, the cursor
 * unparks, then reads the latest sequence once more: an entry published before the fan-out
 * re-registered it is seen by that read, and any later one is signalled.
 *
 * <p><b>Threading.</b> {@link #signal()}, {@link #resume()}, {@link #cancel()} and
 * {@link #close()} may be called from any thread. Delivery runs on the watch executor,
 * one drain at a time per cursor (a work-in-progress counter serialises them), so the
 * sink is never called concurrently and a signal that arrives mid-drain is never lost.
 * A drain examines at most {@value #ENTRIES_PER_TURN} entries, then yields its thread to
 * other watchers and queues itself again, so a long replay (or a key filter scanning a
 * long history) never starves them. A fault in a drain (even an Error) ends this watch
 * only, through {@link WatchSink#onFailed}; the thread goes on.
 */
final class WatchCursor implements WatchSubscription, Runnable {
    private static final System.Logger LOG = System.getLogger(WatchCursor.class.getName());
    static final int ENTRIES_PER_TURN = 256;

    private final String contextId;
    /** The key filter's UTF-8 bytes, compared with each record's; null for any key. */
    private final byte[] keyUtf8;
    private final WatchSink sink;
    private final ContextStore store;
    private final Executor executor;
    private final WatchFanOut fanOut;

    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile boolean closing;
    /** Out of the signal list: written by drains, read by the fan-out. */
    private volatile boolean parked;

    /** The fan-out's (completion thread's) bookkeeping: index in its context's signal list, -1 when not in it. */
    int slot = -1;

    // Drain-thread state, handed between drains through wip's ordering.
    private long next;
    private ContextLog log;
    private boolean closed;

    WatchCursor(String contextId, String key, long fromSequence, WatchSink sink, ContextStore store,
                Executor executor, WatchFanOut fanOut) {
        this.contextId = contextId;
        this.keyUtf8 = key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
        // Saturate: fromSequence + 1 would wrap at Long.MAX_VALUE, and no context gets that far.
        this.next = fromSequence == Long.MAX_VALUE ? Long.MAX_VALUE : fromSequence + 1;
        this.sink = sink;
        this.store = store;
        this.executor = executor;
        this.fanOut = fanOut;
    }

    String contextId() {
        return contextId;
    }

    /** Whether the cursor is out of its context's signal list (its sink was not ready). */
    boolean isParked() {
        return parked;
    }

    @Override
    public void resume() {
        signal();
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            fanOut.unsubscribe(this);
        }
    }

    boolean isCancelled() {
        return cancelled.get();
    }

    /** Ends the watch after delivering what is stored and the sink is ready for. */
    void close() {
        closing = true;
        signal();
    }

    /** There may be something new to deliver: schedule a drain unless one is pending. */
    void signal() {
        if (wip.getAndIncrement() == 0) {
            schedule();
        }
    }

    @Override
    public void run() {
        int missed = 1;
        do {
            try {
                if (drain()) {
                    schedule(); // the turn is over with more to deliver: queue behind the others, wip stays above 0
                    return;
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void fail(Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "watch on context " + contextId + " failed; ending it", e);
        cancel();
        if (!closed) {
            closed = true;
            try {
                sink.onFailed(e);
            } catch (RuntimeException | Error again) {
                LOG.log(System.Logger.Level.WARNING, "ending a failed watch on context " + contextId + " failed", again);
            }
        }
    }

    private void schedule() {
        try {
            executor.execute(this);
        } catch (RejectedExecutionException e) {
            // The ledger stopped its watch threads: end the watch here rather than leave it open.
            if (!closed && !cancelled.get()) {
                closed = true;
                sink.onClosed();
            }
            wip.set(0);
        }
    }

    /** @return true when the turn's budget ran out with entries still to examine */
    private boolean drain() {
        if (closed || cancelled.get()) {
            return false;
        }
        if (log == null) {
            log = store.find(contextId);
        }
        boolean more = false;
        if (log != null) {
            more = deliver(log);
        } else if (parked) {
            unpark(); // an unknown context: wait for its first entry in the signal list
        }
        if (more) {
            return true;
        }
        if (closing) {
            closed = true;
            sink.onClosed();
        }
        return false;
    }

    /** @return true when the turn's budget ran out with entries still to examine */
    private boolean deliver(ContextLog log) {
        long latest = log.latestSequence();
        int examined = 0;
        try {
            while (true) {
                if (next > latest && next > (latest = log.latestSequence())) {
                    if (parked) {
                        unpark();
                        continue; // read the latest once more, now that appends signal this cursor again
                    }
                    return false;
                }
                if (cancelled.get()) {
                    return false;
                }
                if (examined == ENTRIES_PER_TURN) {
                    return true;
                }
                if (keyUtf8 != null && !log.keyEquals(next, keyUtf8)) {
                    next++;
                    examined++;
                    continue;
                }
                if (!sink.isReady() || !sink.offer(log, next)) {
                    park();
                    return false;
                }
                next++;
                examined++;
            }
        } finally {
            if (!cancelled.get()) {
                sink.flush();
            }
        }
    }

    private void park() {
        if (!parked) {
            parked = true;
            fanOut.changed(this);
        }
    }

    private void unpark() {
        parked = false;
        fanOut.changed(this);
    }
}
