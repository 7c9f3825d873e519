package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The no-op baseline answers the batched appends as the contract shapes them (CONTRACT.md,
 * "Extension: batched appends"): one ack per entry in request order, and on AppendStream
 * one response per batch, in order, the stream completing when the client half-closes.
 */
@ParameterizedClass
@EnumSource(value = Transport.class, names = {"IN_PROCESS", "NETTY"})
class NoopContextServiceTest {
    @Parameter
    Transport transport;

    private BaselineServer server;
    private ManagedChannel channel;

    @BeforeEach
    void startBaseline() throws IOException {
        ServerSettings settings = ServerSettings.defaults();
        switch (transport) {
            case IN_PROCESS -> {
                String name = InProcessServerBuilder.generateName();
                server = BaselineServer.start(InProcessServerBuilder.forName(name), settings);
                channel = InProcessChannelBuilder.forName(name).build();
            }
            case NETTY -> {
                ServerBuilder<?> builder = NettyServerBuilder.forAddress(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                server = BaselineServer.start(builder, settings);
                channel = NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.port())).usePlaintext().build();
            }
            default -> throw new AssertionError(transport);
        }
    }

    @AfterEach
    void stopBaseline() throws InterruptedException {
        channel.shutdownNow();
        server.close();
        assertTrue(channel.awaitTermination(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS), "channel closed");
    }

    @Test
    void appendBatchAnswersOneAckPerEntryInRequestOrder() {
        AppendBatchResponse reply = ContextServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .appendBatch(batch(5));
        assertConsecutiveAcks(reply.getAcksList(), 5, 0);
    }

    @Test
    void appendStreamAnswersEachBatchOnceInOrderAndCompletesOnHalfClose() throws Exception {
        List<AppendBatchResponse> replies = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<AppendBatchRequest> requests = ContextServiceGrpc.newStub(channel)
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .appendStream(new StreamObserver<>() {
                @Override
                public void onNext(AppendBatchResponse value) {
                    replies.add(value);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    done.complete(null);
                }
            });
        int[] sizes = {3, 1, 7, 2};
        for (int size : sizes) {
            requests.onNext(batch(size));
        }
        requests.onCompleted();
        done.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertEquals(sizes.length, replies.size(), "one response per batch");
        long previous = 0;
        for (int i = 0; i < sizes.length; i++) {
            assertConsecutiveAcks(replies.get(i).getAcksList(), sizes[i], previous);
            previous = replies.get(i).getAcks(sizes[i] - 1).getSequence();
        }
    }

    private static AppendBatchRequest batch(int entries) {
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (int i = 0; i < entries; i++) {
            b.addEntries(AppendRequest.newBuilder().setContextId("noop-" + (i % 2))
                .setPayload(ByteString.copyFromUtf8("e" + i)));
        }
        return b.build();
    }

    /** {@code count} acks, sequences consecutive after {@code after}, each with an id and a time. */
    private static void assertConsecutiveAcks(List<AppendAck> acks, int count, long after) {
        assertEquals(count, acks.size(), "one ack per entry");
        for (int i = 0; i < count; i++) {
            AppendAck ack = acks.get(i);
            assertEquals(after + 1 + i, ack.getSequence(), "acks in request order");
            assertFalse(ack.getId().isEmpty(), "an id");
            assertTrue(ack.getAppendedAtNs() > 0, "an append time");
        }
    }
}
