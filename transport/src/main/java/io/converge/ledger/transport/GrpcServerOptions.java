package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;

import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server options the ledger and the no-op baseline share, so that a side-by-side
 * measurement differs only in what the service does; and the one executor they own.
 *
 * <p>Calls run on the transport's own threads (grpc-java's direct executor): Append and
 * Watch only validate and publish into the ledger's ring, which never blocks for longer
 * than the ring-full wait, so handing them to another thread would cost a thread switch
 * per call and buy nothing. Get, Snapshot and Load can read, encode or decode megabytes,
 * so they run on a small pool instead and never hold up the other calls of a connection.
 * Thread-safe.
 */
final class GrpcServerOptions implements AutoCloseable {
    private static final Set<String> HEAVY_METHODS = Set.of(
        ContextServiceGrpc.getGetMethod().getFullMethodName(),
        ContextServiceGrpc.getSnapshotMethod().getFullMethodName(),
        ContextServiceGrpc.getLoadMethod().getFullMethodName());

    private final ServerSettings settings;
    private final ExecutorService heavyCalls;

    GrpcServerOptions(ServerSettings settings) {
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.heavyCalls = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "ledger-grpc-heavy-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** Sets the shared options on {@code builder}; returns it. */
    ServerBuilder<?> applyTo(ServerBuilder<?> builder) {
        ServerCallExecutorSupplier heavyOnPool = new ServerCallExecutorSupplier() {
            @Override
            public <ReqT, RespT> ExecutorService getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
                MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
                return HEAVY_METHODS.contains(method.getFullMethodName()) ? heavyCalls : null;
            }
        };
        return builder
            .directExecutor()
            .callExecutor(heavyOnPool)
            .maxInboundMessageSize(settings.maxInboundMessageBytes());
    }

    /** Stops the pool once the server has terminated; calls still queued are dropped. */
    @Override
    public void close() {
        heavyCalls.shutdownNow();
    }
}
