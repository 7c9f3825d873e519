package io.converge.ledger.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.converge.context.v1.SnapshotChunk;
import io.converge.ledger.core.SnapshotStream;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One SnapshotChunks call: encodes the blob from the store as it streams
 * ({@link SnapshotStream}), in chunks of at most {@value #CHUNK_BYTES} bytes, on the
 * transfer lane, and only while gRPC says the client is ready (flow control), so the call
 * holds about two chunks at a time, which it reserves from the {@link TransferBudget} at
 * start. The first chunk carries the sequence and metadata. Cancelling stops it and frees
 * all it held.
 *
 * <p>Threading: {@code onReady} and cancellation come from the transport; the encoding runs
 * in one drain task at a time on the lane ({@link #scheduled} hands over between them).
 */
final class SnapshotChunksCall implements Runnable {
    /** The most bytes of blob in one chunk (the contract's 1 MiB). */
    static final int CHUNK_BYTES = 1 << 20;
    /** Chunks one drain task sends before it yields its lane thread to other transfers. */
    private static final int CHUNKS_PER_TURN = 8;

    private final SnapshotTransfers transfers;
    private final String contextId;
    private final ServerCallStreamObserver<SnapshotChunk> response;
    private final TransferBudget.Hold hold;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** No more to send: completed or failed. */
    private final AtomicBoolean done = new AtomicBoolean();
    /** Drain task only. */
    private SnapshotStream stream;
    private boolean sentFirst;

    SnapshotChunksCall(SnapshotTransfers transfers, String contextId, ServerCallStreamObserver<SnapshotChunk> response) {
        this.transfers = transfers;
        this.contextId = contextId;
        this.response = response;
        this.hold = transfers.budget().open();
    }

    /** Admits the call to the lane, reserves its chunks and starts the drain; in the service method. */
    void start() {
        response.setOnCancelHandler(this::end);
        response.setOnCloseHandler(this::end);
        response.setOnReadyHandler(this::schedule);
        try {
            transfers.lane().admit();
        } catch (StatusRuntimeException e) {
            ended.set(true);
            response.onError(e);
            return;
        }
        try {
            hold.reserve(2L * CHUNK_BYTES, "a SnapshotChunks call");
        } catch (StatusRuntimeException e) {
            end();
            response.onError(e);
            return;
        }
        schedule();
    }

    /** Frees what the call holds and leaves the lane, once. */
    private void end() {
        if (ended.compareAndSet(false, true)) {
            hold.release();
            transfers.lane().leave();
        }
    }

    private void schedule() {
        if (done.get() || ended.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            transfers.lane().run(this);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            end();
            SnapshotTransfers.fail(response, SnapshotTransfers.shuttingDown());
        }
    }

    @Override
    public void run() {
        try {
            drain();
        } catch (RuntimeException e) {
            done.set(true);
            end();
            SnapshotTransfers.fail(response, e);
            return;
        } finally {
            scheduled.set(false);
        }
        if (!done.get() && !ended.get() && response.isReady()) {
            schedule(); // onReady may have come while this task held the flag, or its turn ran out
        }
    }

    private void drain() {
        if (ended.get()) {
            return;
        }
        if (stream == null) {
            ReadBarrier.await(transfers.ledger(), contextId, "");
            stream = transfers.ledger().snapshotStream(contextId);
        }
        for (int sent = 0; sent < CHUNKS_PER_TURN && !ended.get() && response.isReady(); sent++) {
            if (!stream.hasRemaining()) {
                // What the transport still holds of the last chunks stays reserved until the close handler.
                done.set(true);
                response.onCompleted();
                return;
            }
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, stream.sizeBytes() - stream.position()));
            stream.read(chunk);
            SnapshotChunk.Builder message = SnapshotChunk.newBuilder()
                .setData(UnsafeByteOperations.unsafeWrap(chunk.array()));
            if (!sentFirst) {
                message.setSequence(stream.latestSequence()).setMetadata(SnapshotTransfers.metadata(stream));
                sentFirst = true;
            }
            response.onNext(message.build());
        }
    }
}
