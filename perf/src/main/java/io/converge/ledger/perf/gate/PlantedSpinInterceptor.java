package io.converge.ledger.perf.gate;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The gRPC half of a {@link PlantedSlowdown}: busy-spins {@code appendNanos} before each
 * unary Append request reaches the service, and {@code streamNanos} before each incoming
 * AppendStream message does; every other method passes untouched. The spin runs on the
 * thread that delivers the message, which on the ledger's server is the transport's own
 * (direct executor), where the service's own work for that message runs too. Stateless and
 * thread-safe.
 */
final class PlantedSpinInterceptor implements ServerInterceptor {
    private static final String APPEND = ContextServiceGrpc.getAppendMethod().getFullMethodName();
    private static final String APPEND_STREAM = ContextServiceGrpc.getAppendStreamMethod().getFullMethodName();

    private final long appendNanos;
    private final long streamNanos;

    PlantedSpinInterceptor(long appendNanos, long streamNanos) {
        this.appendNanos = appendNanos;
        this.streamNanos = streamNanos;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        long nanos = method.equals(APPEND) ? appendNanos : method.equals(APPEND_STREAM) ? streamNanos : 0;
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        if (nanos == 0) {
            return listener;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                PlantedSlowdown.spin(nanos);
                super.onMessage(message);
            }
        };
    }
}
