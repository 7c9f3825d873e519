package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The client side of SnapshotChunks and LoadChunks for tests; every call bounded by the fixture's deadline. */
final class SnapshotChunksClient {
    private SnapshotChunksClient() {
    }

    static List<SnapshotChunk> snapshotChunks(Channel channel, String contextId) {
        Iterator<SnapshotChunk> it = ContextServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .snapshotChunks(SnapshotRequest.newBuilder().setContextId(contextId).build());
        List<SnapshotChunk> chunks = new ArrayList<>();
        it.forEachRemaining(chunks::add);
        return chunks;
    }

    static byte[] concatenated(List<SnapshotChunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(c -> out.writeBytes(c.getData().toByteArray()));
        return out.toByteArray();
    }

    /** The blob in chunks of {@code chunkBytes} (the first with the context and flag; none for an empty blob). */
    static List<LoadChunk> chunksOf(String contextId, boolean failIfExists, byte[] blob, int chunkBytes) {
        List<LoadChunk> chunks = new ArrayList<>();
        for (int at = 0; at < blob.length || chunks.isEmpty(); at += chunkBytes) {
            LoadChunk.Builder c = LoadChunk.newBuilder()
                .setData(ByteString.copyFrom(blob, at, Math.max(0, Math.min(chunkBytes, blob.length - at))));
            if (chunks.isEmpty()) {
                c.setContextId(contextId).setFailIfExists(failIfExists);
            }
            chunks.add(c.build());
        }
        return chunks;
    }

    static LoadResponse loadChunks(Channel channel, String contextId, boolean failIfExists, byte[] blob, int chunkBytes) {
        return loadChunks(channel, chunksOf(contextId, failIfExists, blob, chunkBytes));
    }

    /**
     * Sends {@code chunks}, half-closes, and returns the answer.
     *
     * @throws StatusRuntimeException the call's refusal
     */
    static LoadResponse loadChunks(Channel channel, List<LoadChunk> chunks) {
        CompletableFuture<LoadResponse> answer = new CompletableFuture<>();
        StreamObserver<LoadChunk> requests = ContextServiceGrpc.newStub(channel)
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .loadChunks(new StreamObserver<>() {
                @Override
                public void onNext(LoadResponse value) {
                    answer.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    answer.complete(null);
                }
            });
        for (LoadChunk c : chunks) {
            if (answer.isDone()) {
                break;
            }
            requests.onNext(c);
        }
        requests.onCompleted();
        try {
            return answer.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw s;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer to LoadChunks within the deadline", e);
        }
    }
}
