package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts, per Watch call in the order the server took them, the messages the server
 * hands to gRPC to send: what the server has committed to a watcher, whether still in
 * its own buffers or already on the wire. Thread-safe.
 */
final class SentWatchMessages implements ServerInterceptor {
    private final List<AtomicInteger> calls = new CopyOnWriteArrayList<>();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getFullMethodName()
            .equals(ContextServiceGrpc.getWatchMethod().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        AtomicInteger count = new AtomicInteger();
        calls.add(count);
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                count.incrementAndGet();
                super.sendMessage(message);
            }
        }, headers);
    }

    /** Watch calls the server has taken so far. */
    int watchCalls() {
        return calls.size();
    }

    /** Messages handed to gRPC on the {@code call}-th Watch call (0-based). */
    int count(int call) {
        return calls.get(call).get();
    }
}
