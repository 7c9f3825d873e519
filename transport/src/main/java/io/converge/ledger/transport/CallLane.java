package io.converge.ledger.transport;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lane of calls: a fixed pool of threads that runs the work of one class of calls (the
 * cheap reads, or the snapshot and load transfers), so that one class never queues behind
 * another, and a bound on the calls it has admitted (running or waiting). A call is
 * admitted once ({@link #admit}); a full lane refuses it with RESOURCE_EXHAUSTED instead of
 * queueing it without bound; an admitted call may run any number of tasks on the lane
 * ({@link #run}) until it {@link #leave}s. Thread-safe.
 */
final class CallLane implements AutoCloseable {
    private final String name;
    private final int maxCalls;
    private final Semaphore admitted;
    private final ExecutorService threads;

    /**
     * @param threads  threads that run the lane's work
     * @param maxCalls calls admitted at once, running or waiting for a thread
     */
    CallLane(String name, int threads, int maxCalls) {
        this.name = name;
        this.maxCalls = maxCalls;
        this.admitted = new Semaphore(maxCalls);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ledger-" + name + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Admits one call, which must {@link #leave} exactly once after.
     *
     * @throws StatusRuntimeException RESOURCE_EXHAUSTED when the lane holds its most calls
     */
    void admit() {
        if (!admitted.tryAcquire()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("the server's " + name + " lane has " + maxCalls
                + " calls running or waiting: retry later").asRuntimeException();
        }
    }

    void leave() {
        admitted.release();
    }

    /** Runs a task of an admitted call on the lane's threads. */
    void run(Runnable task) {
        threads.execute(task);
    }

    /** Calls admitted now. */
    int calls() {
        return maxCalls - admitted.availablePermits();
    }

    /** Stops the threads; tasks still waiting are dropped. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
