package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.assertStatus;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.SnapshotChunksClient.loadChunks;
import static io.converge.ledger.transport.SnapshotChunksClient.snapshotChunks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ServerLimits.transferBudgetBytes: the bytes of Snapshot and Load blobs, chunks and staging
 * held at once, over all calls, stay under the budget; a call over it is RESOURCE_EXHAUSTED
 * with a message, and the bytes come back when calls end, however they end.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class TransferBudgetContractTest extends ServedOverBothTransports {
    private static final int MIB = 1024 * 1024;
    private static final long BUDGET = 3L * MIB;

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withLimits(ServerLimits.defaults().withTransferBudgetBytes(BUDGET));
    }

    /** A context whose blob is about {@code mib} MiB. */
    private void fill(String contextId, int mib) {
        for (int i = 0; i < mib; i++) {
            append(fixture.blocking(), contextId, "k", bytes(MIB - 200, i), Map.of());
        }
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(LedgerFixture.DEADLINE_SECONDS);
    }

    /** Tries a SnapshotChunks of an empty context until its outcome is {@code code}, within the deadline. */
    private void awaitSnapshotChunksOutcome(Status.Code code) throws InterruptedException {
        long deadline = deadline();
        while (true) {
            Status.Code outcome;
            try {
                snapshotChunks(fixture.channel, "tiny");
                outcome = Status.Code.OK;
            } catch (StatusRuntimeException e) {
                outcome = e.getStatus().getCode();
            }
            if (outcome == code) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("SnapshotChunks never answered " + code + "; last " + outcome);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void anUnreadSnapshotChunksHoldsItsChunksSoOtherTransfersOverTheBudgetAreRefusedUntilItIsCancelled()
        throws Exception {
        fill("big", 4);
        CompletableFuture<ClientCallStreamObserver<SnapshotRequest>> started = new CompletableFuture<>();
        ContextServiceGrpc.newStub(fixture.channel).snapshotChunks(
            SnapshotRequest.newBuilder().setContextId("big").build(),
            new ClientResponseObserver<SnapshotRequest, SnapshotChunk>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<SnapshotRequest> call) {
                    call.disableAutoRequestWithInitial(0); // reads nothing
                    started.complete(call);
                }

                @Override
                public void onNext(SnapshotChunk value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
        ClientCallStreamObserver<SnapshotRequest> stalled = started.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
        awaitSnapshotChunksOutcome(Status.Code.RESOURCE_EXHAUSTED);

        byte[] blob = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("tiny").build())
            .getSnapshot().toByteArray();
        byte[] halfMib = new byte[MIB + MIB / 2];
        System.arraycopy(blob, 0, halfMib, 0, blob.length);
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "LEDGER_TRANSFER_BUDGET_BYTES",
            () -> fixture.blocking().load(LoadRequest.newBuilder().setContextId("copy")
                .setSnapshot(ByteString.copyFrom(halfMib)).build()));
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "LEDGER_TRANSFER_BUDGET_BYTES",
            () -> loadChunks(fixture.channel, "copy", false, halfMib, MIB / 4));
        assertEquals(0, latest(fixture, "copy"), "nothing changed");

        stalled.cancel("the test is done with it", null);
        awaitSnapshotChunksOutcome(Status.Code.OK);
    }

    /**
     * Over Netty, an answer the client does not read stays in the server's transport, held
     * against the budget (in-process, the transport takes it whole at once). A few may fit
     * the client's connection window whole and end; most are refused.
     */
    @Test
    void manyUnreadUnarySnapshotsHoldNoMoreThanTheBudgetAndTheRestAreRefused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(transport.overNetty());
        fill("big", 1); // a blob of about 1 MiB: three fit the budget, four do not
        int calls = 40;
        BlockingQueue<Status> closed = new LinkedBlockingQueue<>();
        List<ClientCall<SnapshotRequest, SnapshotResponse>> unread = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            ClientCall<SnapshotRequest, SnapshotResponse> call = fixture.channel.newCall(
                ContextServiceGrpc.getSnapshotMethod(), CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onClose(Status status, Metadata trailers) {
                    closed.add(status);
                }
            }, new Metadata());
            call.sendMessage(SnapshotRequest.newBuilder().setContextId("big").build());
            call.halfClose(); // and never request() the answer
            unread.add(call);
        }
        int refused = 0;
        long deadline = deadline();
        while (refused < calls / 2) {
            Status s = closed.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(s, "only " + refused + " of " + calls + " refused within the deadline");
            if (s.getCode() == Status.Code.OK) {
                continue; // a small answer the transport could take whole: not held
            }
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "LEDGER_TRANSFER_BUDGET_BYTES", s);
            refused++;
        }
        unread.forEach(c -> c.cancel("done", null));
        awaitSnapshotChunksOutcome(Status.Code.OK);
        SnapshotResponse after = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("big").build());
        assertEquals(1, after.getSequence(), "the budget came back when the calls ended");
    }

    @Test
    void concurrentLoadsOverTheBudgetAreOkOrResourceExhaustedNeverAnythingElse() throws Exception {
        fill("src", 1);
        ByteString blob = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("src").build())
            .getSnapshot();
        List<CompletableFuture<Status>> outcomes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<Status> outcome = new CompletableFuture<>();
            outcomes.add(outcome);
            ContextServiceGrpc.newStub(fixture.channel).withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
                .load(LoadRequest.newBuilder().setContextId("copy-" + i).setSnapshot(blob).build(),
                    new io.grpc.stub.StreamObserver<LoadResponse>() {
                        @Override
                        public void onNext(LoadResponse value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            outcome.complete(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            outcome.complete(Status.OK);
                        }
                    });
        }
        for (int i = 0; i < outcomes.size(); i++) {
            Status s = outcomes.get(i).get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
            if (s.getCode() == Status.Code.OK) {
                assertEquals(1, latest(fixture, "copy-" + i));
            } else {
                assertStatus(Status.Code.RESOURCE_EXHAUSTED, "LEDGER_TRANSFER_BUDGET_BYTES", s);
                assertEquals(0, latest(fixture, "copy-" + i));
            }
        }
    }
}
