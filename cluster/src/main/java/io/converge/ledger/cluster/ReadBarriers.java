package io.converge.ledger.cluster;

import io.converge.ledger.core.LedgerException;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Read barriers, batched: every reader that arrives while no barrier is waiting to be sent
 * joins the next one, which the {@link IngressLog} sends through the cluster's log; when this
 * member's service applies it, every entry any member acknowledged before it was sent is
 * applied here too, and all its readers go on. One barrier serves any number of readers, and
 * at most one is unsent at a time.
 *
 * <p>Thread-safe: readers on any thread, the ingress thread sends, the service thread
 * applies. The lock is held for a few field writes and never while a reader's action runs;
 * it is off the write path.
 */
final class ReadBarriers {
    private static final class Barrier {
        final long id;
        final long deadlineNanos;
        final CompletableFuture<Void> readers = new CompletableFuture<>();

        Barrier(long id, long deadlineNanos) {
            this.id = id;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final long timeoutNanos;
    /**
     * Barrier ids of this run are above it: a random point, not 0, since a restarted member
     * replays its earlier runs' barriers (with its own member id) from the log, and one of
     * those must not let this run's readers go on before this member has caught up.
     */
    private final long firstId = new SecureRandom().nextLong() >>> 2;
    private long lastId = firstId;
    private Barrier open;
    private final ArrayDeque<Barrier> sent = new ArrayDeque<>();

    ReadBarriers(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Any thread: the barrier the caller's read waits for. */
    synchronized CompletableFuture<Void> join() {
        if (open == null) {
            open = new Barrier(++lastId, System.nanoTime() + timeoutNanos);
        }
        return open.readers;
    }

    /** Ingress thread: the id of the barrier to send now, or 0 when none waits. */
    synchronized long toSend() {
        return open == null ? 0 : open.id;
    }

    /** Ingress thread: the barrier {@link #toSend()} gave is in the log's hands. */
    synchronized void sent(long id) {
        if (open != null && open.id == id) {
            sent.add(open);
            open = null;
        }
    }

    /**
     * Service thread: this member applied barrier {@code id}; its readers and earlier ones go
     * on. An id this run did not issue (an earlier run's, replayed from the log) is ignored.
     */
    void applied(long id) {
        List<Barrier> done = new ArrayList<>(1);
        synchronized (this) {
            if (id <= firstId || id > lastId) {
                return;
            }
            while (!sent.isEmpty() && sent.peek().id <= id) {
                done.add(sent.poll());
            }
        }
        for (Barrier b : done) {
            b.readers.complete(null);
        }
    }

    /** Any thread: fails the readers of every barrier past its deadline with UNAVAILABLE. */
    void expire(long nowNanos, String why) {
        List<Barrier> late = new ArrayList<>(0);
        synchronized (this) {
            while (!sent.isEmpty() && sent.peek().deadlineNanos - nowNanos < 0) {
                late.add(sent.poll());
            }
            if (open != null && open.deadlineNanos - nowNanos < 0) {
                late.add(open);
                open = null;
            }
        }
        for (Barrier b : late) {
            b.readers.completeExceptionally(new LedgerException(LedgerException.Reason.UNAVAILABLE,
                "this member could not confirm it holds every acknowledged entry within "
                    + timeoutNanos / 1_000_000 + " ms (" + why + "); retry, or read from another member"));
        }
    }
}
