package io.converge.ledger.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands the replies the ledger's completion thread produces back to the event loops their
 * calls came in on, once per ring batch per loop. Sent one by one from the completion
 * thread, each reply woke its event loop (an eventfd write and a context switch, most of
 * the completion thread's time where measured); queued and handed on at the end of the
 * batch, a loop is woken once for all of them and writes them in one flush.
 *
 * <p>{@link #reply} and {@link #run()} (the ledger's batch-end action) are for the
 * completion thread only. A call that did not arrive on a Netty event loop (the in-process
 * transport) is answered at once.
 */
final class ReplyCoalescer implements Runnable {
    private static final System.Logger LOG = System.getLogger(ReplyCoalescer.class.getName());

    /** Completion thread only: the replies of the current batch, by event loop. */
    private final Map<EventExecutor, List<Runnable>> pending = new IdentityHashMap<>();

    /** The event loop running the calling thread, or null when it is not one. */
    static EventExecutor currentLoop() {
        return ThreadExecutorMap.currentExecutor();
    }

    /** Completion thread only: sends {@code send} on {@code loop} at the end of this batch, or now if null. */
    void reply(EventExecutor loop, Runnable send) {
        if (loop == null) {
            send.run();
            return;
        }
        pending.computeIfAbsent(loop, l -> new ArrayList<>()).add(send);
    }

    /** Completion thread only, at the end of each ring batch: hands every queued reply to its loop. */
    @Override
    public void run() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<EventExecutor, List<Runnable>> e : pending.entrySet()) {
            List<Runnable> sends = e.getValue();
            try {
                e.getKey().execute(() -> sendAll(sends));
            } catch (RejectedExecutionException loopStopped) {
                sendAll(sends); // the server is stopping: answer from here
            }
        }
        pending.clear();
    }

    private static void sendAll(List<Runnable> sends) {
        for (Runnable send : sends) {
            try {
                send.run();
            } catch (RuntimeException e) { // one call's failure must not keep the others from their replies
                LOG.log(System.Logger.Level.WARNING, "sending a reply failed", e);
            }
        }
    }
}
