package io.converge.ledger.transport;

import io.grpc.ServerBuilder;

/**
 * The server options the ledger and the no-op baseline share, so that a side-by-side
 * measurement differs only in what the service does.
 */
final class GrpcServerOptions {
    private GrpcServerOptions() {
    }

    static ServerBuilder<?> apply(ServerBuilder<?> builder, ServerSettings settings) {
        return builder.maxInboundMessageSize(settings.maxInboundMessageBytes());
    }
}
