package io.converge.ledger.transport;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Netty side of the server's edge, as {@link ServerLimits} bounds it: the gRPC port
 * listens on {@link ServerLimits#bindAddress()}; a connection has
 * {@link ServerLimits#handshakeTimeoutMillis()} to finish its HTTP/2 handshake and is
 * closed after {@link ServerLimits#connectionIdleMillis()} without a call; and at most
 * {@link ServerLimits#maxConnections()} connections are open at once.
 *
 * <p><b>The connection cap.</b> grpc-java has none, so the edge owns the server channel
 * and its event loops (epoll where the native transport loads, else NIO, like grpc-java's
 * own choice) and puts a handler in front of the listening socket's acceptor: a connection
 * accepted while the cap is reached is closed at once, before any handler or buffer is set
 * up for it (the client sees the connection closed: UNAVAILABLE, at once), and the
 * connections already open go on. Open and refused connections are counted
 * ({@code ledger.connections.open}, {@code ledger.connections.refused}).
 *
 * <p>Keepalive: the server pings a connection silent for {@value #KEEPALIVE_SECONDS} s and
 * closes it when no answer comes within {@value #KEEPALIVE_TIMEOUT_SECONDS} s (a peer gone
 * without a FIN); a client may ping as often as every {@value #PERMIT_KEEPALIVE_SECONDS} s,
 * with or without calls open.
 *
 * <p>Thread-safe. Close it after the server it built has terminated: that stops its event loops.
 */
public final class NettyEdge implements AutoCloseable {
    static final long KEEPALIVE_SECONDS = 120;
    static final long KEEPALIVE_TIMEOUT_SECONDS = 20;
    static final long PERMIT_KEEPALIVE_SECONDS = 10;
    /** Descriptors left for files, the metrics port and the JVM when warning that the cap exceeds the process's limit. */
    private static final long SPARE_DESCRIPTORS = 256;
    private static final System.Logger LOG = System.getLogger(NettyEdge.class.getName());

    private final ServerLimits limits;
    private final boolean epoll;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ConnectionCap cap;

    private NettyEdge(ServerLimits limits) {
        this.limits = limits;
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ledger-grpc-accept", true), io);
        this.workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("ledger-grpc-loop", true), io);
        this.cap = new ConnectionCap(limits.maxConnections());
    }

    /** The edge for {@code limits}; it starts its (idle) event loops now. */
    public static NettyEdge create(ServerLimits limits) {
        NettyEdge edge = new NettyEdge(limits);
        long descriptors = maxFileDescriptors();
        if (descriptors > 0 && limits.maxConnections() > descriptors - SPARE_DESCRIPTORS) {
            LOG.log(System.Logger.Level.WARNING, "LEDGER_MAX_CONNECTIONS=" + limits.maxConnections()
                + " is close to or above this process's file descriptor limit (" + descriptors
                + "): connections beyond the limit fail before the cap can refuse them; raise ulimit -n or lower the cap");
        }
        return edge;
    }

    /** A plain-text builder for a server on {@code port} (0: one the OS chooses) of the bind address, with its bounds. */
    public NettyServerBuilder builder(int port) {
        return builder(port, InsecureServerCredentials.create());
    }

    /**
     * A builder for a server on {@code port} (0: one the OS chooses) of the bind address, with
     * the edge's bounds, speaking TLS or plain text as {@code credentials} say.
     */
    public NettyServerBuilder builder(int port, ServerCredentials credentials) {
        return NettyServerBuilder.forAddress(new InetSocketAddress(limits.bindAddress(), port), credentials)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .channelFactory(this::listeningChannel)
            .handshakeTimeout(limits.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionIdle(limits.connectionIdleMillis(), TimeUnit.MILLISECONDS)
            .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .permitKeepAliveTime(PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    }

    private ServerChannel listeningChannel() {
        ServerChannel channel = epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
        channel.pipeline().addLast("ledger-connection-cap", cap);
        return channel;
    }

    /** Connections open now (accepted and not yet closed). */
    public int openConnections() {
        return cap.open.get();
    }

    /** Connections closed on arrival because the cap was reached, since start. */
    public long refusedConnections() {
        return cap.refused.sum();
    }

    /** Registers {@code ledger.connections.open} and {@code ledger.connections.refused}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("ledger.connections.open", cap.open, AtomicInteger::get)
            .description("gRPC connections open now (LEDGER_MAX_CONNECTIONS at most)").register(registry);
        FunctionCounter.builder("ledger.connections.refused", cap.refused, LongAdder::sum)
            .description("gRPC connections closed on arrival because LEDGER_MAX_CONNECTIONS were open").register(registry);
    }

    /** Stops the event loops, waiting a few seconds at most; the server must have terminated. Idempotent. */
    @Override
    public void close() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static long maxFileDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /**
     * In the listening channel's pipeline, before the acceptor: every accepted connection
     * passes here, on the accepting thread, before it is registered with an event loop.
     */
    @ChannelHandler.Sharable
    private static final class ConnectionCap extends ChannelInboundHandlerAdapter {
        private final int max;
        private final AtomicInteger open = new AtomicInteger();
        private final LongAdder refused = new LongAdder();

        ConnectionCap(int max) {
            this.max = max;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel connection = (Channel) msg;
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                refused.increment();
                connection.unsafe().closeForcibly();
                return;
            }
            connection.closeFuture().addListener(closed -> open.decrementAndGet());
            ctx.fireChannelRead(msg);
        }
    }
}
