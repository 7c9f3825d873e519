package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.SnapshotRequest;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Get runs on its own lane, Snapshot and Load on another: a saturated transfer lane (its
 * one thread deliberately blocked, its queue full) holds up no Get; a full lane refuses
 * with RESOURCE_EXHAUSTED instead of queueing.
 */
class CallLaneTest {
    private final CountDownLatch unblock = new CountDownLatch(1);
    private Ledger ledger;
    private CallLane reads;
    private CallLane transfers;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void serve() throws IOException {
        ledger = Ledger.start(LedgerConfig.defaults());
        reads = new CallLane("read", 1, 2);
        transfers = new CallLane("transfer", 1, 2);
        ContextGrpcService service = new ContextGrpcService(ledger, new GetPager(4 << 20), new ReplyCoalescer(),
            new RingRoomWait(TimeUnit.MILLISECONDS.toNanos(100)), reads,
            new SnapshotTransfers(ledger, transfers, new TransferBudget(1 << 30), 64 << 20),
            new WatchStreams(ledger, 16, 4 << 20, new EncodedEntries(EncodedEntries.defaultCapBytes()),
                WatchBytesBudget.defaults()), new OpenAppendStreams());
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
            .addService(service.definition(WireBatchParsing.inline())).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        unblock.countDown();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        reads.close();
        transfers.close();
        ledger.close();
    }

    private ContextServiceGrpc.ContextServiceBlockingStub stub() {
        return ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Occupies the lane's one thread until the test ends, and every other place in it. */
    private void saturate(CallLane lane) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        lane.admit();
        lane.run(() -> {
            running.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lane.leave();
            }
        });
        assertEquals(true, running.await(10, TimeUnit.SECONDS), "the blocking task runs");
        lane.admit(); // the queue's one other place
    }

    @Test
    void aGetAnswersWhileTheTransferLaneIsSaturated() throws InterruptedException {
        ContractSupport.append(stub(), "ctx", "k", new byte[] {1}, java.util.Map.of());
        saturate(transfers);
        assertEquals(1, stub().get(GetRequest.newBuilder().setContextId("ctx").build()).getLatestSequence());
    }

    @Test
    void aFullTransferLaneRefusesSnapshotsWithResourceExhausted() throws InterruptedException {
        saturate(transfers);
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "transfer lane",
            () -> stub().snapshot(SnapshotRequest.newBuilder().setContextId("ctx").build()));
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "transfer lane",
            () -> SnapshotChunksClient.snapshotChunks(channel, "ctx"));
    }

    @Test
    void aFullReadLaneRefusesGetsWithResourceExhaustedWhileSnapshotsGoOn() throws InterruptedException {
        saturate(reads);
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "read lane",
            () -> stub().get(GetRequest.newBuilder().setContextId("ctx").build()));
        assertEquals(0, stub().snapshot(SnapshotRequest.newBuilder().setContextId("ctx").build()).getSequence());
    }

    @Test
    void aCallThatEndsLeavesItsLane() throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            stub().snapshot(SnapshotRequest.newBuilder().setContextId("ctx").build());
            SnapshotChunksClient.snapshotChunks(channel, "ctx");
            stub().get(GetRequest.newBuilder().setContextId("ctx").build());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((reads.calls() != 0 || transfers.calls() != 0) && System.nanoTime() - deadline < 0) {
            Thread.sleep(1); // a call leaves just after its answer went out, or on its close handler
        }
        assertEquals(0, reads.calls());
        assertEquals(0, transfers.calls());
    }
}
