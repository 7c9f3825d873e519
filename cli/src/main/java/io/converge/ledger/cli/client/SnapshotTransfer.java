package io.converge.ledger.cli.client;

import com.google.protobuf.ByteString;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotMetadata;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Moves snapshot blobs between a server and a stream or file, over the streamed rpcs
 * (SnapshotChunks, LoadChunks: chunks of at most {@value #CHUNK_BYTES} bytes, paced by flow
 * control, so neither side holds the whole blob in one message), falling back to the unary
 * Snapshot and Load when the server answers UNIMPLEMENTED (a server older than the streamed
 * rpcs); a unary Snapshot is read with the inbound limit raised to {@value #UNARY_INBOUND_BYTES}
 * bytes. Each transfer is bounded by the deadline given. Not thread-safe.
 */
public final class SnapshotTransfer {
    /** The largest chunk sent to LoadChunks. */
    public static final int CHUNK_BYTES = 1024 * 1024;
    /** The inbound limit of a unary Snapshot. */
    public static final int UNARY_INBOUND_BYTES = Integer.MAX_VALUE;

    private final Channel channel;
    private final long deadlineNanos;

    /** @param deadlineNanos each transfer's time limit, from its start; 0 for none */
    public SnapshotTransfer(Channel channel, long deadlineNanos) {
        this.channel = channel;
        this.deadlineNanos = deadlineNanos;
    }

    /** How a transfer went: over the streamed rpcs ({@code chunks}) or the unary ones ({@code unary}). */
    public enum Mode { CHUNKS, UNARY }

    /** A snapshot written: its size, the sequence and metadata the server gave, and how it came. */
    public record Taken(long bytes, long sequence, SnapshotMetadata metadata, Mode mode) {
    }

    /** A blob loaded: the server's answer and how the blob went. */
    public record Loaded(long bytes, LoadResponse response, Mode mode) {
    }

    private CallOptions options() {
        return deadlineNanos > 0 ? CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
            : CallOptions.DEFAULT;
    }

    private ContextServiceGrpc.ContextServiceBlockingStub blocking() {
        ContextServiceGrpc.ContextServiceBlockingStub stub = ContextServiceGrpc.newBlockingStub(channel);
        return deadlineNanos > 0 ? stub.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS) : stub;
    }

    /**
     * Writes the snapshot of {@code context} to {@code out}.
     *
     * @throws StatusRuntimeException with the server's status
     * @throws IOException            when {@code out} fails
     */
    public Taken snapshot(String context, OutputStream out) throws IOException {
        SnapshotRequest request = SnapshotRequest.newBuilder().setContextId(context).build();
        Iterator<SnapshotChunk> chunks = blocking().snapshotChunks(request);
        SnapshotChunk first;
        try {
            if (!chunks.hasNext()) {
                throw Status.INTERNAL.withDescription("SnapshotChunks ended without a chunk").asRuntimeException();
            }
            first = chunks.next();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                throw e;
            }
            SnapshotResponse whole = blocking().withMaxInboundMessageSize(UNARY_INBOUND_BYTES).snapshot(request);
            whole.getSnapshot().writeTo(out);
            return new Taken(whole.getSnapshot().size(), whole.getSequence(), whole.getMetadata(), Mode.UNARY);
        }
        long bytes = first.getData().size();
        first.getData().writeTo(out);
        while (chunks.hasNext()) {
            ByteString data = chunks.next().getData();
            data.writeTo(out);
            bytes += data.size();
        }
        return new Taken(bytes, first.getSequence(), first.getMetadata(), Mode.CHUNKS);
    }

    /**
     * Loads the blob in {@code file} into {@code context}.
     *
     * @throws StatusRuntimeException with the server's status
     * @throws IOException            when the file cannot be read
     */
    public Loaded load(String context, Path file, boolean failIfExists) throws IOException, InterruptedException {
        long size = Files.size(file);
        CompletableFuture<LoadResponse> answer = new CompletableFuture<>();
        Object ready = new Object();
        ClientResponseObserver<LoadChunk, LoadResponse> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<LoadChunk> requests) {
                requests.setOnReadyHandler(() -> {
                    synchronized (ready) {
                        ready.notifyAll();
                    }
                });
            }

            @Override
            public void onNext(LoadResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
                synchronized (ready) {
                    ready.notifyAll();
                }
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(Status.INTERNAL.withDescription("LoadChunks ended without an answer")
                    .asRuntimeException());
            }
        };
        ClientCallStreamObserver<LoadChunk> requests = (ClientCallStreamObserver<LoadChunk>)
            io.grpc.stub.ClientCalls.asyncClientStreamingCall(
                channel.newCall(ContextServiceGrpc.getLoadChunksMethod(), options()), observer);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[CHUNK_BYTES];
            boolean firstChunk = true;
            while (!answer.isDone()) {
                int n = in.readNBytes(buffer, 0, buffer.length);
                if (n == 0 && !firstChunk) {
                    break;
                }
                synchronized (ready) {
                    while (!requests.isReady() && !answer.isDone()) {
                        ready.wait(100);
                    }
                }
                if (answer.isDone()) {
                    break;
                }
                LoadChunk.Builder chunk = LoadChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, n));
                if (firstChunk) {
                    chunk.setContextId(context).setFailIfExists(failIfExists);
                    firstChunk = false;
                }
                requests.onNext(chunk.build());
                if (n < buffer.length) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            requests.cancel("the client failed reading " + file, e);
            throw e;
        }
        if (!answer.isDone()) {
            requests.onCompleted();
        }
        try {
            long waitNanos = deadlineNanos > 0 ? deadlineNanos : TimeUnit.DAYS.toNanos(1);
            return new Loaded(size, answer.get(waitNanos, TimeUnit.NANOSECONDS), Mode.CHUNKS);
        } catch (ExecutionException e) {
            StatusRuntimeException failure = e.getCause() instanceof StatusRuntimeException s ? s
                : Status.fromThrowable(e.getCause()).asRuntimeException();
            if (failure.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                throw failure;
            }
        } catch (TimeoutException e) {
            requests.cancel("deadline", e);
            throw Status.DEADLINE_EXCEEDED.withDescription("LoadChunks did not answer in time").asRuntimeException();
        }
        if (size > Integer.MAX_VALUE - 1024) {
            throw Status.OUT_OF_RANGE.withDescription(file + " is too large for a unary Load (" + size + " bytes); "
                + "this server has no LoadChunks").asRuntimeException();
        }
        ByteString blob;
        try (InputStream in = Files.newInputStream(file)) {
            blob = ByteString.readFrom(in);
        }
        LoadResponse response = blocking().load(LoadRequest.newBuilder().setContextId(context).setSnapshot(blob)
            .setFailIfExists(failIfExists).build());
        return new Loaded(size, response, Mode.UNARY);
    }
}
