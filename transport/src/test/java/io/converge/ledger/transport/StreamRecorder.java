package io.converge.ledger.transport;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client end of one server-streaming or bidi call: records what each response carries
 * and how the stream ended. Every wait is bounded by {@link #WAIT_SECONDS}. Thread-safe.
 *
 * @param <Q> the request type
 * @param <R> the response type
 * @param <T> what the recorder keeps of each response
 */
abstract class StreamRecorder<Q, R, T> implements ClientResponseObserver<Q, R> {
    static final long WAIT_SECONDS = 10;

    private final Function<R, T> keep;
    private final String what;
    private final List<T> items = new ArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<Q> call;

    /** @param what how the kept items are named in a failure message, e.g. "entries" */
    StreamRecorder(Function<R, T> keep, String what) {
        this.keep = keep;
        this.what = what;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        call = requestStream;
    }

    /** The call's client side, once started. */
    ClientCallStreamObserver<Q> call() {
        return call;
    }

    @Override
    public synchronized void onNext(R response) {
        items.add(keep.apply(response));
        notifyAll();
    }

    @Override
    public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
        synchronized (this) {
            notifyAll();
        }
    }

    @Override
    public void onCompleted() {
        end.complete(Status.OK);
        synchronized (this) {
            notifyAll();
        }
    }

    /** Waits until at least {@code n} items arrived; fails when the stream ended or time ran out first. */
    synchronized List<T> awaitItems(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (items.size() < n && !end.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (items.size() < n) {
            fail("expected " + n + " " + what + " within " + WAIT_SECONDS + " s, got " + items.size()
                + (end.isDone() ? "; the stream ended with " + end.getNow(null) : ""));
        }
        return new ArrayList<>(items);
    }

    synchronized List<T> items() {
        return new ArrayList<>(items);
    }

    /** How the stream ended, waiting for it up to the bound. */
    Status awaitEnd() throws Exception {
        return end.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    boolean ended() {
        return end.isDone();
    }
}
