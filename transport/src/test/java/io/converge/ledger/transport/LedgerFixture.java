package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A ledger server and a channel to it, over the chosen {@link Transport}; closing it
 * shuts both down and fails when they do not terminate within a bounded time.
 */
final class LedgerFixture implements AutoCloseable {
    /** Every blocking call in the tests carries this deadline. */
    static final long DEADLINE_SECONDS = 10;

    final LedgerServer server;
    final ManagedChannel channel;

    private LedgerFixture(LedgerServer server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    static LedgerFixture start(Transport transport) throws IOException {
        return start(transport, ServerSettings.defaults());
    }

    static LedgerFixture start(Transport transport, ServerSettings settings) throws IOException {
        return switch (transport) {
            case IN_PROCESS -> {
                String name = InProcessServerBuilder.generateName();
                LedgerServer server = LedgerServer.start(InProcessServerBuilder.forName(name), settings);
                yield new LedgerFixture(server, InProcessChannelBuilder.forName(name)
                    .maxInboundMessageSize(settings.maxInboundMessageBytes())
                    .build());
            }
            case NETTY -> {
                LedgerServer server = LedgerServer.start(
                    NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                    settings);
                yield new LedgerFixture(server, NettyChannelBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                    .usePlaintext()
                    .maxInboundMessageSize(settings.maxInboundMessageBytes())
                    .build());
            }
        };
    }

    /** A blocking stub whose every call has the standard deadline. */
    ContextServiceGrpc.ContextServiceBlockingStub blocking() {
        return ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    ContextServiceGrpc.ContextServiceStub async() {
        return ContextServiceGrpc.newStub(channel);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.close();
        if (!channel.awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("channel did not terminate within " + DEADLINE_SECONDS + " s");
        }
    }
}
