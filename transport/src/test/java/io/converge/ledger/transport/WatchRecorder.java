package io.converge.ledger.transport;

import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client end of one Watch: records every entry it receives and how the stream ended.
 * Either reads as fast as entries come (gRPC's automatic flow control) or asks for
 * messages itself ({@link #manual}), so a test can pause and resume it. Every wait is
 * bounded. Thread-safe.
 */
final class WatchRecorder implements ClientResponseObserver<WatchRequest, WatchEvent> {
    static final long WAIT_SECONDS = 10;

    /** Negative for automatic flow control. */
    private final int initialRequest;
    private final List<Entry> entries = new ArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<WatchRequest> call;

    private WatchRecorder(int initialRequest) {
        this.initialRequest = initialRequest;
    }

    /** Reads every entry as it comes. */
    static WatchRecorder automatic() {
        return new WatchRecorder(-1);
    }

    /** Asks for {@code initial} entries, then for no more until {@link #request}. */
    static WatchRecorder manual(int initial) {
        return new WatchRecorder(initial);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
        call = requestStream;
        if (initialRequest >= 0) {
            requestStream.disableAutoRequestWithInitial(initialRequest);
        }
    }

    @Override
    public synchronized void onNext(WatchEvent event) {
        entries.add(event.getEntry());
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

    void request(int n) {
        call.request(n);
    }

    void cancel() {
        call.cancel("the test cancels the watch", null);
    }

    /** Waits until at least {@code n} entries arrived; fails when the stream ended or time ran out first. */
    synchronized List<Entry> awaitEntries(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (entries.size() < n && !end.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (entries.size() < n) {
            fail("expected " + n + " entries within " + WAIT_SECONDS + " s, got " + entries.size()
                + (end.isDone() ? "; the stream ended with " + end.getNow(null) : ""));
        }
        return new ArrayList<>(entries);
    }

    synchronized List<Entry> entries() {
        return new ArrayList<>(entries);
    }

    synchronized List<Long> sequences() {
        return ContractSupport.sequences(entries);
    }

    /** How the stream ended, waiting for it up to the bound. */
    Status awaitEnd() throws Exception {
        return end.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    boolean ended() {
        return end.isDone();
    }
}
