package io.converge.ledger.perf.gate;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures unary Append calls per second against one server: a closed loop of
 * {@code callers} concurrent callers, each sending its next Append when the previous one
 * is answered, over {@code channels} connections. Not thread-safe: one measurement at a time.
 */
final class GrpcRateProbe implements AutoCloseable {
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final AppendRequest request;

    GrpcRateProbe(int port, int channelCount, int payloadBytes, String contextId) {
        for (int i = 0; i < channelCount; i++) {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build());
        }
        this.request = AppendRequest.newBuilder()
            .setContextId(contextId)
            .setPayload(ByteString.copyFrom(new byte[payloadBytes]))
            .build();
    }

    /**
     * Runs {@code callers} callers for {@code nanos} and returns the calls answered per
     * second in that time.
     *
     * @throws IllegalStateException when a call fails
     */
    double callsPerSecond(int callers, long nanos) throws InterruptedException {
        AtomicLong answered = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + nanos;
        Caller[] all = new Caller[callers];
        for (int i = 0; i < callers; i++) {
            all[i] = new Caller(ContextServiceGrpc.newStub(channels.get(i % channels.size())), end, answered, failure);
            all[i].send();
        }
        long waitUntil = end + TimeUnit.SECONDS.toNanos(10);
        for (Caller c : all) {
            if (!c.done.await(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("a caller got no answer within 10 s of the end");
            }
        }
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("an Append failed: " + failure.get(), failure.get());
        }
        return answered.get() * 1e9 / elapsed;
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private final class Caller implements StreamObserver<AppendResponse> {
        private final ContextServiceGrpc.ContextServiceStub stub;
        private final long end;
        private final AtomicLong answered;
        private final AtomicReference<Throwable> failure;
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        Caller(ContextServiceGrpc.ContextServiceStub stub, long end, AtomicLong answered,
               AtomicReference<Throwable> failure) {
            this.stub = stub;
            this.end = end;
            this.answered = answered;
            this.failure = failure;
        }

        void send() {
            stub.append(request, this);
        }

        @Override
        public void onNext(AppendResponse value) {
            answered.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
            failure.compareAndSet(null, t);
            done.countDown();
        }

        @Override
        public void onCompleted() {
            if (System.nanoTime() - end < 0) {
                send();
            } else {
                done.countDown();
            }
        }
    }
}
