package io.converge.ledger.perf.load;

import io.grpc.stub.StreamObserver;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One call in flight of a closed loop, and its reused observer: it issues the next call
 * from the previous one's completion (on the connection's event loop thread) until the
 * measured phase is over, then counts {@code stopped} down once. A failed call is counted
 * and the next one issued from {@code afterFailure}, so that a storm of synchronous
 * failures cannot recurse on one stack. Touched by one thread at a time.
 *
 * @param <R> the call's response type
 */
abstract class ClosedLoopCall<R> implements StreamObserver<R> {
    private final MeasurementWindow window;
    private final CountDownLatch stopped;
    private final AppendOutcomes outcomes;
    private final ExecutorService afterFailure;
    private long startNanos;
    private R reply;

    ClosedLoopCall(MeasurementWindow window, CountDownLatch stopped, AppendOutcomes outcomes,
                   ExecutorService afterFailure) {
        this.window = window;
        this.stopped = stopped;
        this.outcomes = outcomes;
        this.afterFailure = afterFailure;
    }

    /** Starts the next call, with this as its observer, unless the measured phase is over. */
    final void issue() {
        long now = System.nanoTime();
        if (window.over(now)) {
            stopped.countDown();
            return;
        }
        reply = null;
        startNanos = now;
        send(now);
    }

    /** Starts one call, observed by this, at {@code nowNanos}. */
    abstract void send(long nowNanos);

    /**
     * A call completed: checks and records it.
     *
     * @param reply    its response, or null when it completed without one
     * @param nanos    from just before the call to its completion
     * @param measured whether it started in the measured phase
     */
    abstract void completed(R reply, long nanos, boolean measured);

    /** Moves on to what the next call sends, after a completion or a failure. */
    abstract void advance();

    @Override
    public final void onNext(R value) {
        reply = value;
    }

    @Override
    public final void onError(Throwable t) {
        outcomes.failed(t);
        advance();
        try {
            afterFailure.execute(this::issue);
        } catch (RejectedExecutionException e) {
            stopped.countDown(); // the run is over and its executor gone: this call stops
        }
    }

    @Override
    public final void onCompleted() {
        long nanos = System.nanoTime() - startNanos;
        completed(reply, nanos, window.measures(startNanos));
        advance();
        issue();
    }
}
