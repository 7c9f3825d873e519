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
 * <p>{@link #reply} and {@link #run()} (the ledger's batch-end action) run on the thread that
 * answers callers: the completion thread standalone; in cluster mode also the clustered
 * service's (writes applied), the ring's forwarding thread and the ingress thread (writes
 * refused or timed out), each followed by {@link #run()} on the same thread. So the queue is
 * per thread, and a thread hands on only what it queued. A call that did not arrive on a
 * Netty event loop (the in-process transport) is answered at once.
 */
final class ReplyCoalescer implements Runnable {
    private static final System.Logger LOG = System.getLogger(ReplyCoalescer.class.getName());

    /** The replies of the calling thread's current batch, by event loop. */
    private final ThreadLocal<Map<EventExecutor, List<Runnable>>> queued = ThreadLocal.withInitial(IdentityHashMap::new);

    /** The event loop running the calling thread, or null when it is not one. */
    static EventExecutor currentLoop() {
        return ThreadExecutorMap.currentExecutor();
    }

    /** Sends {@code send} on {@code loop} when this thread next runs {@link #run()}, or now if null. */
    void reply(EventExecutor loop, Runnable send) {
        if (loop == null) {
            send.run();
            return;
        }
        queued.get().computeIfAbsent(loop, l -> new ArrayList<>()).add(send);
    }

    /** At the end of each batch of answers: hands every reply this thread queued to its loop. */
    @Override
    public void run() {
        Map<EventExecutor, List<Runnable>> pending = queued.get();
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
