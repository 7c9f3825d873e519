package io.converge.ledger.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * The callers of this member's forwarded messages, by correlation, until the message is
 * applied here ({@link LogApplier} answers them) or its commit timeout passes (then they are
 * answered UNAVAILABLE). Whichever removes a message first answers it; the other finds
 * nothing. Any thread.
 */
final class PendingReplies {
    /** One forwarded message's callers, in command order: AppendCallback, AppendedBatch or LoadCallback. */
    record Pending(long deadlineNanos, List<Object> replies) {
    }

    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

    void put(long correlation, Pending replies) {
        pending.put(correlation, replies);
    }

    /** The message's callers, removed; null when none wait here (another member's, or timed out). */
    Pending take(long correlation) {
        return pending.remove(correlation);
    }

    int size() {
        return pending.size();
    }

    /**
     * Answers UNAVAILABLE to the callers of every message whose deadline is before {@code nowNanos}.
     *
     * @return whether any was answered
     */
    boolean expire(long nowNanos, long timeoutMillis) {
        return refuseWhere((correlation, p) -> p.deadlineNanos() - nowNanos < 0, "the cluster did not commit this"
            + " write within " + timeoutMillis + " ms (no leader, or no majority reachable); it may still be stored:"
            + " read before retrying");
    }

    /**
     * Answers UNAVAILABLE to the callers of every message with a correlation up to {@code correlation}
     * (messages are numbered in the order they were offered).
     *
     * @return whether any was answered
     */
    boolean abandonUpTo(long correlation, String why) {
        return refuseWhere((c, p) -> c <= correlation, why + "; this write may still be stored: read before retrying");
    }

    /** Removes and answers UNAVAILABLE {@code why} to every message {@code which} selects; whether there was one. */
    private boolean refuseWhere(BiPredicate<Long, Pending> which, String why) {
        boolean any = false;
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            if (which.test(e.getKey(), e.getValue()) && pending.remove(e.getKey(), e.getValue())) {
                refuse(e.getValue(), new LedgerException(LedgerException.Reason.UNAVAILABLE, why));
                any = true;
            }
        }
        return any;
    }

    /** Answers every caller of {@code p} with {@code reason}. */
    static void refuse(Pending p, LedgerException reason) {
        for (Object reply : p.replies()) {
            if (reply instanceof AppendCallback a) {
                a.onRejected(reason);
            } else if (reply instanceof AppendedBatch b) {
                b.callback.onRejected(reason);
            } else {
                ((LoadCallback) reply).onRejected(reason);
            }
        }
    }
}
