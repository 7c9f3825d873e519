package io.converge.ledger.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes named daemon threads and remembers each, so that their owner can wait for all to
 * end. A thread that ends with an uncaught exception reports it to the ledger's
 * {@link RingFaults} (logged, counted; an {@link Error} stops the ledger) instead of dying
 * silently. Thread-safe.
 */
final class DaemonThreads implements ThreadFactory {
    private final String prefix;
    private final RingFaults faults;
    private final AtomicInteger count = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    DaemonThreads(String prefix, RingFaults faults) {
        this.prefix = prefix;
        this.faults = faults;
    }

    @Override
    public Thread newThread(Runnable runnable) {
        Thread t = new Thread(runnable, prefix + "-" + count.getAndIncrement());
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> faults.threadFault(thread.getName(), e));
        threads.add(t);
        return t;
    }

    /** Waits until every thread made so far has ended, or until {@code deadlineNanos} (a System.nanoTime value). */
    void join(long deadlineNanos) {
        try {
            for (Thread t : threads) {
                t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
