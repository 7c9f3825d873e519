package io.converge.ledger.transport;

import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client end of one AppendStream: sends batches, records every response and how the
 * stream ended. Every wait is bounded. Thread-safe.
 */
final class AppendStreamRecorder implements ClientResponseObserver<AppendBatchRequest, AppendBatchResponse> {
    static final long WAIT_SECONDS = 10;

    private final List<AppendBatchResponse> responses = new ArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<AppendBatchRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<AppendBatchRequest> requestStream) {
        call = requestStream;
    }

    /** Sends one batch, whatever the stream's readiness (gRPC buffers it on the client). */
    void send(AppendBatchRequest batch) {
        call.onNext(batch);
    }

    /** Half-closes: no more batches. */
    void finish() {
        call.onCompleted();
    }

    /** Whether gRPC flow control would let the client send now without buffering. */
    boolean ready() {
        return call.isReady();
    }

    @Override
    public synchronized void onNext(AppendBatchResponse response) {
        responses.add(response);
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

    /** Waits until at least {@code n} responses arrived; fails when the stream ended or time ran out first. */
    synchronized List<AppendBatchResponse> awaitResponses(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (responses.size() < n && !end.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (responses.size() < n) {
            fail("expected " + n + " responses within " + WAIT_SECONDS + " s, got " + responses.size()
                + (end.isDone() ? "; the stream ended with " + end.getNow(null) : ""));
        }
        return new ArrayList<>(responses);
    }

    synchronized List<AppendBatchResponse> responses() {
        return new ArrayList<>(responses);
    }

    /** How the stream ended, waiting for it up to the bound. */
    Status awaitEnd() throws Exception {
        return end.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
