package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The no-op baseline behind gRPC: {@link NoopContextService} and the health service, on
 * the same transport and server options as a {@link LedgerServer}, so that the two can be
 * measured side by side. Serving mode {@code noop-baseline} of the server main.
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class BaselineServer implements RunningServer {
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final GrpcServerOptions options;

    private BaselineServer(ServerBuilder<?> builder, ServerSettings settings) throws IOException {
        this.options = new GrpcServerOptions(settings);
        this.server = options.applyTo(builder)
            .addService(InvalidArgumentOnParseFailure.wrap(new NoopContextService().definition()))
            .addService(health.getHealthService())
            .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            options.close();
            throw e;
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(ContextServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    }

    /**
     * Serves the no-op baseline on {@code builder}'s transport.
     *
     * @throws IOException when the server cannot bind
     */
    public static BaselineServer start(ServerBuilder<?> builder, ServerSettings settings) throws IOException {
        return new BaselineServer(builder, settings);
    }

    @Override
    public int port() {
        return server.getPort();
    }

    /** The baseline serves no metrics: -1. */
    @Override
    public int metricsPort() {
        return -1;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            options.close();
        }
    }
}
