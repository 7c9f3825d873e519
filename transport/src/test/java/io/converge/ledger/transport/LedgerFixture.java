package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A ledger server and a channel to it, over the chosen {@link Transport}; closing it
 * shuts both down (with every extra channel it opened) and fails when they do not
 * terminate within a bounded time.
 */
final class LedgerFixture implements AutoCloseable {
    /** Every blocking call in the tests carries this deadline. */
    static final long DEADLINE_SECONDS = 10;

    final LedgerServer server;
    final ManagedChannel channel;
    private final Transport transport;
    private final String inProcessName;
    /** The Netty server's port, kept: the server no longer reports it once terminated. */
    private final int port;
    private final List<ManagedChannel> extraChannels = new CopyOnWriteArrayList<>();
    /** Over Netty, the server's edge (event loops, connection cap), as the server main sets it up; else null. */
    private NettyEdge edge;
    /** For {@link Transport#NETTY_CLUSTER_MEMBER}, the cluster the server is a member of; else null. */
    private ServedClusterMember cluster;

    private LedgerFixture(Transport transport, String inProcessName, LedgerServer server, ManagedChannel channel) {
        this.transport = transport;
        this.inProcessName = inProcessName;
        this.port = server.port();
        this.server = server;
        this.channel = channel;
    }

    static LedgerFixture start(Transport transport) throws IOException {
        return start(transport, ServerSettings.defaults());
    }

    /** @param interceptors wrap every call the server takes, to observe it */
    static LedgerFixture start(Transport transport, ServerSettings settings, ServerInterceptor... interceptors)
        throws IOException {
        return start(transport, settings, WatchBytesBudget.defaults(), interceptors);
    }

    /** @param watchBytes the server's budget for watch messages in flight */
    static LedgerFixture start(Transport transport, ServerSettings settings, WatchBytesBudget watchBytes,
                               ServerInterceptor... interceptors) throws IOException {
        return switch (transport) {
            case IN_PROCESS -> {
                String name = InProcessServerBuilder.generateName();
                LedgerServer server = LedgerServer.start(
                    intercepted(InProcessServerBuilder.forName(name), interceptors), settings, watchBytes);
                yield new LedgerFixture(transport, name, server, InProcessChannelBuilder.forName(name)
                    .maxInboundMessageSize(settings.maxInboundMessageBytes())
                    .build());
            }
            case NETTY, NETTY_CLUSTER_MEMBER -> {
                String loopback = InetAddress.getLoopbackAddress().getHostAddress();
                NettyEdge edge = NettyEdge.create(settings.limits().withBindAddresses(loopback,
                    settings.limits().metricsBindAddress()));
                LedgerServer server;
                ServedClusterMember cluster = null;
                try {
                    if (transport.clustered()) {
                        cluster = ServedClusterMember.start(settings.ledger(), member ->
                            LedgerServer.start(intercepted(edge.builder(0), interceptors), settings, watchBytes, member));
                        server = cluster.server;
                    } else {
                        server = LedgerServer.start(intercepted(edge.builder(0), interceptors), settings, watchBytes);
                    }
                } catch (IOException | RuntimeException | Error e) {
                    edge.close();
                    throw e;
                }
                if (server.meterRegistry() != null) {
                    edge.bindTo(server.meterRegistry());
                }
                LedgerFixture fixture = new LedgerFixture(transport, null, server, NettyChannelBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                    .usePlaintext()
                    .maxInboundMessageSize(settings.maxInboundMessageBytes())
                    .build());
                fixture.edge = edge;
                fixture.cluster = cluster;
                yield fixture;
            }
        };
    }

    private static ServerBuilder<?> intercepted(ServerBuilder<?> builder, ServerInterceptor... interceptors) {
        for (ServerInterceptor interceptor : interceptors) {
            builder.intercept(interceptor);
        }
        return builder;
    }

    /**
     * A second, independent channel to the same server with grpc-java's defaults (so at
     * most 4 MiB inbound, as a stock client): over Netty, a separate connection. Closed
     * with the fixture.
     */
    ManagedChannel openStockChannel() {
        return openChannel(builder -> { });
    }

    /**
     * Like {@link #openStockChannel}, but over Netty with a fixed HTTP/2 flow-control
     * window of {@code windowBytes} (no automatic window tuning), so a test can bound
     * what flow control lets the server send to a client that reads nothing.
     */
    ManagedChannel openChannelWithFixedWindow(int windowBytes) {
        return openChannel(builder -> {
            if (builder instanceof NettyChannelBuilder netty) {
                netty.flowControlWindow(windowBytes);
            }
        });
    }

    /** A second channel to the same server, configured by {@code configure}; closed with the fixture. */
    ManagedChannel openChannel(Consumer<ManagedChannelBuilder<?>> configure) {
        ManagedChannelBuilder<?> builder = switch (transport) {
            case IN_PROCESS -> InProcessChannelBuilder.forName(inProcessName);
            case NETTY, NETTY_CLUSTER_MEMBER -> NettyChannelBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .usePlaintext();
        };
        configure.accept(builder);
        ManagedChannel c = builder.build();
        extraChannels.add(c);
        return c;
    }

    /** A blocking stub whose every call has the standard deadline. */
    ContextServiceGrpc.ContextServiceBlockingStub blocking() {
        return ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    ContextServiceGrpc.ContextServiceStub async() {
        return ContextServiceGrpc.newStub(channel);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        extraChannels.forEach(ManagedChannel::shutdownNow);
        server.close();
        if (edge != null) {
            edge.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        try {
            if (!channel.awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("channel did not terminate within " + DEADLINE_SECONDS + " s");
            }
            for (ManagedChannel c : extraChannels) {
                if (!c.awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("a second channel did not terminate within " + DEADLINE_SECONDS + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while closing the fixture", e);
        }
    }
}
