package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake ledger on a free loopback port that answers every Append after a fixed delay
 * (from a timer thread, so any number wait at once), failing every {@code failEvery}-th
 * with UNAVAILABLE when asked to, and every Get with an empty context.
 */
final class SlowLedger implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong sequence = new AtomicLong();
    private final Server server;

    SlowLedger(long delayMillis) throws IOException {
        this(delayMillis, 0);
    }

    SlowLedger(long delayMillis, int failEvery) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(new ContextServiceGrpc.ContextServiceImplBase() {
                @Override
                public void append(AppendRequest request, StreamObserver<AppendResponse> reply) {
                    long n = sequence.incrementAndGet();
                    Entry entry = Entry.newBuilder().setSequence(n).setPayload(request.getPayload()).build();
                    timer.schedule(() -> {
                        if (failEvery > 0 && n % failEvery == 0) {
                            reply.onError(Status.UNAVAILABLE.withDescription("told to fail").asRuntimeException());
                            return;
                        }
                        reply.onNext(AppendResponse.newBuilder().setEntry(entry).build());
                        reply.onCompleted();
                    }, delayMillis, TimeUnit.MILLISECONDS);
                }

                @Override
                public void get(GetRequest request, StreamObserver<GetResponse> reply) {
                    reply.onNext(GetResponse.getDefaultInstance());
                    reply.onCompleted();
                }
            })
            .build()
            .start();
    }

    String target() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
        timer.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
