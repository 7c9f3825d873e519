package io.converge.ledger.transport;

import io.converge.ledger.transport.metrics.RingWaits;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for room in the ledger's command ring without blocking a transport thread, for at
 * most the configured ring-full wait per call.
 *
 * <p>A publish that finds the ring full joins its event loop's queue. One timer task per
 * loop retries the queue's head every {@value #RETRY_MICROS} µs, in arrival order, until it
 * fits or its wait is over (then its timeout action answers the call). While a loop's
 * queue is not empty, that loop's later publishes queue behind it, so calls are served in
 * the order they came and the batches of one stream keep their order. The loop itself
 * stays free to read, answer and dispatch other calls (Get, health) meanwhile.
 *
 * <p>Off an event loop (the in-process transport) the calling thread waits instead,
 * bounded the same way. A wait can outlast the bound by as long as its loop is kept from
 * running the retry (a GC pause, a starved CPU); the waits, refusals and the longest wait
 * are counted ({@link RingWaits}) and served as metrics.
 *
 * <p><b>Threading.</b> {@link #publish} runs on the calling call's thread; each loop's
 * queue is touched only by that loop's thread.
 */
final class RingRoomWait implements RingWaits {
    static final long RETRY_MICROS = 100;

    private static final System.Logger LOG = System.getLogger(RingRoomWait.class.getName());

    /** One attempt to publish into the ring. */
    @FunctionalInterface
    interface Attempt {
        /**
         * @return false only when the ring had no room and nothing was published; true once
         *         the call is settled otherwise (published, or refused and answered)
         */
        boolean tryPublish();
    }

    private final long waitNanos;
    private final Map<EventExecutor, LoopQueue> queues = new ConcurrentHashMap<>();
    /** Publishes waiting on any loop; while 0, a publish skips the queue lookup. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder waited = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicLong longestWaitNanos = new AtomicLong();

    RingRoomWait(long waitNanos) {
        this.waitNanos = waitNanos;
    }

    /**
     * Publishes now if the ring has room and nothing on {@code loop} waits before it;
     * else waits, and runs {@code timedOut} when the wait is over without room.
     *
     * @param loop the calling thread's event loop, or null off Netty
     */
    void publish(EventExecutor loop, Attempt attempt, Runnable timedOut) {
        if (loop == null) {
            waitHere(attempt, timedOut);
            return;
        }
        LoopQueue queue = waiting.get() == 0 ? null : queues.get(loop);
        if ((queue == null || queue.isEmpty()) && attempt.tryPublish()) {
            return;
        }
        if (queue == null) {
            queue = queues.computeIfAbsent(loop, LoopQueue::new);
        }
        waited.increment();
        queue.add(new Waiter(attempt, timedOut, System.nanoTime()));
    }

    private void waitHere(Attempt attempt, Runnable timedOut) {
        if (attempt.tryPublish()) {
            return;
        }
        long start = System.nanoTime();
        waited.increment();
        while (!attempt.tryPublish()) {
            if (System.nanoTime() - start - waitNanos >= 0) {
                settled(start, true);
                timedOut.run();
                return;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(RETRY_MICROS));
        }
        settled(start, false);
    }

    /** A waiting call got room, or ({@code refusedAfterWait}) its wait ran out. */
    private void settled(long startNanos, boolean refusedAfterWait) {
        long waitedNanos = System.nanoTime() - startNanos;
        longestWaitNanos.accumulateAndGet(waitedNanos, Math::max);
        if (refusedAfterWait) {
            refused.increment();
        }
    }

    @Override
    public long waited() {
        return waited.sum();
    }

    @Override
    public long refused() {
        return refused.sum();
    }

    @Override
    public long longestWaitNanos() {
        return longestWaitNanos.get();
    }

    private record Waiter(Attempt attempt, Runnable timedOut, long sinceNanos) {
    }

    /** The waiting publishes of one event loop, oldest first. Loop-confined. */
    private final class LoopQueue {
        private final EventExecutor loop;
        private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

        LoopQueue(EventExecutor loop) {
            this.loop = loop;
        }

        boolean isEmpty() {
            return waiters.isEmpty();
        }

        void add(Waiter waiter) {
            waiters.add(waiter);
            waiting.incrementAndGet();
            if (waiters.size() == 1) {
                retryLater();
            }
        }

        private void retryLater() {
            loop.schedule(this::retry, RETRY_MICROS, TimeUnit.MICROSECONDS);
        }

        /** Publishes waiters in order while the ring has room; answers those whose wait is over. */
        private void retry() {
            Waiter head;
            while ((head = waiters.peek()) != null) {
                try {
                    if (head.attempt().tryPublish()) {
                        settled(head.sinceNanos(), false);
                    } else {
                        if (System.nanoTime() - head.sinceNanos() - waitNanos < 0) {
                            break;
                        }
                        settled(head.sinceNanos(), true);
                        head.timedOut().run();
                    }
                } catch (RuntimeException e) { // one call's failure must not strand the calls behind it
                    LOG.log(System.Logger.Level.ERROR, "a waiting publish failed", e);
                }
                waiters.poll();
                waiting.decrementAndGet();
            }
            if (!waiters.isEmpty()) {
                retryLater();
            }
        }
    }
}
