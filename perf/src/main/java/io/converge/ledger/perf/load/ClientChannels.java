package io.converge.ledger.perf.load;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The client's connections: {@code channels} Netty channels (one HTTP/2 connection each)
 * to the target over NIO, on {@code min(channels, cores)} event loop threads; channel
 * {@code i} is pinned to loop {@code i % threads}, which {@link #eventLoop} names so a
 * caller can issue calls from that thread. Calls run with {@code directExecutor}: every
 * reply and Watch event is handled on the event loop thread of its connection, so
 * callbacks must not block. Stubs are created once and are thread-safe. {@link #close}
 * waits at most a few seconds.
 *
 * <p>Why issue from the loop: a call started from any other thread makes grpc-java hand
 * the stream's creation, its message and its {@code request(1)} to the loop separately,
 * each a cross-thread task that may wake the selector; from the loop thread they are
 * plain method calls and one flush.
 */
final class ClientChannels implements AutoCloseable {
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final EventLoopGroup group;
    private final EventLoop[] loops;
    private final ManagedChannel[] channels;
    private final ContextServiceGrpc.ContextServiceStub[] stubs;

    ClientChannels(LoadOptions options) {
        int threads = Math.min(options.channels(), Runtime.getRuntime().availableProcessors());
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load-client", true),
            NioIoHandler.newFactory());
        this.loops = new EventLoop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = group.next();
        }
        this.channels = new ManagedChannel[options.channels()];
        this.stubs = new ContextServiceGrpc.ContextServiceStub[channels.length];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = NettyChannelBuilder.forAddress(options.host(), options.port())
                .usePlaintext()
                .eventLoopGroup(loops[i % threads])
                .channelType(NioSocketChannel.class)
                .directExecutor()
                .maxInboundMessageSize(options.payloadBytes() + 1024 * 1024)
                .build();
            stubs[i] = ContextServiceGrpc.newStub(channels[i]);
        }
    }

    int size() {
        return channels.length;
    }

    /** The event loop thread that runs channel {@code i % size()}'s connection and callbacks. */
    EventLoop eventLoop(int i) {
        return loops[Math.floorMod(i, channels.length) % loops.length];
    }

    /** The async stub of channel {@code i % size()}. */
    ContextServiceGrpc.ContextServiceStub stub(int i) {
        return stubs[Math.floorMod(i, stubs.length)];
    }

    /** Channel {@code i % size()}, for calls made without a generated stub. */
    Channel channel(int i) {
        return channels[Math.floorMod(i, channels.length)];
    }

    /** The standard health service over channel {@code i}: answered by the ledger and the no-op baseline alike. */
    HealthGrpc.HealthBlockingStub health(int i) {
        return HealthGrpc.newBlockingStub(channels[i]);
    }

    /** A blocking stub on channel {@code i % size()}, for the run's few setup calls. */
    ContextServiceGrpc.ContextServiceBlockingStub blocking(int i) {
        return ContextServiceGrpc.newBlockingStub(channels[Math.floorMod(i, channels.length)]);
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_SECONDS,
            TimeUnit.SECONDS);
    }
}
