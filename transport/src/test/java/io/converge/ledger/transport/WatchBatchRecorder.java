package io.converge.ledger.transport;

import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchBatch;
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
 * The client end of one WatchBatches stream: records every entry it receives, the size of
 * each message, and how the stream ended. Reads automatically or on request
 * ({@link #manual}). Every wait is bounded. Thread-safe.
 */
final class WatchBatchRecorder implements ClientResponseObserver<WatchRequest, WatchBatch> {
    static final long WAIT_SECONDS = 10;

    private final int initialRequest;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Integer> messageSizes = new ArrayList<>();
    private final List<Integer> messageEntries = new ArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<WatchRequest> call;

    private WatchBatchRecorder(int initialRequest) {
        this.initialRequest = initialRequest;
    }

    static WatchBatchRecorder automatic() {
        return new WatchBatchRecorder(-1);
    }

    /** Asks for {@code initial} messages, then for no more until {@link #request}. */
    static WatchBatchRecorder manual(int initial) {
        return new WatchBatchRecorder(initial);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
        call = requestStream;
        if (initialRequest >= 0) {
            requestStream.disableAutoRequestWithInitial(initialRequest);
        }
    }

    @Override
    public synchronized void onNext(WatchBatch batch) {
        entries.addAll(batch.getEntriesList());
        messageSizes.add(batch.getSerializedSize());
        messageEntries.add(batch.getEntriesCount());
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

    void request(int messages) {
        call.request(messages);
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

    /** The serialized size of each WatchBatch received, in order. */
    synchronized List<Integer> messageSizes() {
        return new ArrayList<>(messageSizes);
    }

    /** The number of entries of each WatchBatch received, in order. */
    synchronized List<Integer> messageEntries() {
        return new ArrayList<>(messageEntries);
    }

    Status awaitEnd() throws Exception {
        return end.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    boolean ended() {
        return end.isDone();
    }
}
