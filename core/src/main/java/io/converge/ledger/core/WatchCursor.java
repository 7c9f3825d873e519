package io.converge.ledger.core;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One watcher: a cursor over a context's stored entries, paced by its sink.
 *
 * <p>Replay and live delivery are the same loop: the cursor reads the entry after the
 * last one it delivered straight from the {@link ContextLog}, so there is no boundary at
 * which an entry could be missed or sent twice. It delivers only while the sink is
 * ready, then stops holding nothing but its position; the sink's readiness
 * ({@link #resume()}) or a new entry ({@link #signal()}) wakes it again.
 *
 * <p><b>Threading.</b> {@link #signal()}, {@link #resume()}, {@link #cancel()} and
 * {@link #close()} may be called from any thread. Delivery runs on the watch executor,
 * one drain at a time per cursor (a work-in-progress counter serialises them), so the
 * sink is never called concurrently and a signal that arrives mid-drain is never lost.
 * A drain examines at most {@value #ENTRIES_PER_TURN} entries, then yields its thread to
 * other watchers and queues itself again, so a long replay (or a key filter scanning a
 * long history) never starves them.
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
    private final Consumer<WatchCursor> unregister;

    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile boolean closing;

    // Drain-thread state, handed between drains through wip's ordering.
    private long next;
    private ContextLog log;
    private boolean closed;

    WatchCursor(String contextId, String key, long fromSequence, WatchSink sink, ContextStore store,
                Executor executor, Consumer<WatchCursor> unregister) {
        this.contextId = contextId;
        this.keyUtf8 = key.isEmpty() ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // Saturate: fromSequence + 1 would wrap at Long.MAX_VALUE, and no context gets that far.
        this.next = fromSequence == Long.MAX_VALUE ? Long.MAX_VALUE : fromSequence + 1;
        this.sink = sink;
        this.store = store;
        this.executor = executor;
        this.unregister = unregister;
    }

    String contextId() {
        return contextId;
    }

    @Override
    public void resume() {
        signal();
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            unregister.accept(this);
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
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "watch on context " + contextId + " failed; cancelling it", e);
                cancel();
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void schedule() {
        try {
            executor.execute(this);
        } catch (RejectedExecutionException e) {
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
        if (log != null) {
            long latest = log.latestSequence();
            int examined = 0;
            while (next <= latest || next <= (latest = log.latestSequence())) {
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
                if (!sink.isReady()) {
                    break;
                }
                sink.onEntry(log.entry(next));
                next++;
                examined++;
            }
        }
        if (closing) {
            closed = true;
            sink.onClosed();
        }
        return false;
    }
}
