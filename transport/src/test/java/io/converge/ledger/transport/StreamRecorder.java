package io.converge.ledger.transport;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

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
    /** Negative for automatic flow control. */
    private final int initialRequest;
    private final List<T> items = new ArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<Q> call;

    /** @param what how the kept items are named in a failure message, e.g. "entries" */
    StreamRecorder(Function<R, T> keep, String what) {
        this(keep, what, -1);
    }

    /**
     * @param initialRequest responses asked for at the start, then no more until {@link #request};
     *                       negative for gRPC's automatic flow control (every response read as it comes)
     */
    StreamRecorder(Function<R, T> keep, String what, int initialRequest) {
        this.keep = keep;
        this.what = what;
        this.initialRequest = initialRequest;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        call = requestStream;
        if (initialRequest >= 0) {
            requestStream.disableAutoRequestWithInitial(initialRequest);
        }
    }

    /** Asks for {@code n} more responses (a recorder made with an initial request). */
    void request(int n) {
        call.request(n);
    }

    /** Cancels the call from the client's side. */
    void cancel() {
        call.cancel("the test cancels the stream", null);
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
    List<T> awaitItems(int n) throws InterruptedException {
        return awaitCounted(n, List::size, what);
    }

    /**
     * Waits until {@code count} of the items so far is at least {@code n}; fails, naming what
     * is counted as {@code counted}, when the stream ended or time ran out first.
     */
    synchronized List<T> awaitCounted(int n, ToIntFunction<List<T>> count, String counted)
        throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (count.applyAsInt(items) < n && !end.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        int got = count.applyAsInt(items);
        if (got < n) {
            fail("expected " + n + " " + counted + " within " + WAIT_SECONDS + " s, got " + got
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
