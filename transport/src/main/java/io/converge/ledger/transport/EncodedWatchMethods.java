package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Serves Watch and WatchBatches with responses written from pre-encoded bytes
 * ({@link EncodedMessage}) instead of generated messages: same method names, same wire
 * bytes, same requests, so clients, reflection and the contract see no difference. What a
 * service binds is rebuilt with those two methods replaced; the schema descriptor is kept
 * (as {@link WireBatchMethods} does for the batched appends).
 */
final class EncodedWatchMethods {
    /** The remote address of the call a watch method is starting (the client connection), for its handler. */
    static final Context.Key<SocketAddress> REMOTE_ADDRESS = Context.key("converge-watch-remote-address");

    private EncodedWatchMethods() {
    }

    static ServerServiceDefinition bind(ServerServiceDefinition service,
                                        BiConsumer<WatchRequest, StreamObserver<EncodedMessage>> watch,
                                        BiConsumer<WatchRequest, StreamObserver<EncodedMessage>> watchBatches) {
        MethodDescriptor<WatchRequest, EncodedMessage> one = encoded(ContextServiceGrpc.getWatchMethod());
        MethodDescriptor<WatchRequest, EncodedMessage> many = encoded(ContextServiceGrpc.getWatchBatchesMethod());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            String name = method.getMethodDescriptor().getFullMethodName();
            if (name.equals(one.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(one, withRemoteAddress(
                    ServerCalls.asyncServerStreamingCall(watch::accept))));
            } else if (name.equals(many.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(many, withRemoteAddress(
                    ServerCalls.asyncServerStreamingCall(watchBatches::accept))));
            } else {
                methods.add(method);
            }
        }
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(rebuilt::addMethod);
        return rebuilt.build();
    }

    /** {@code handler} with the call's remote address in {@link #REMOTE_ADDRESS} while it runs. */
    private static ServerCallHandler<WatchRequest, EncodedMessage> withRemoteAddress(
        ServerCallHandler<WatchRequest, EncodedMessage> handler) {
        return (call, headers) -> Contexts.interceptCall(
            Context.current().withValue(REMOTE_ADDRESS, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)),
            call, headers, handler);
    }

    private static <R> MethodDescriptor<WatchRequest, EncodedMessage> encoded(MethodDescriptor<WatchRequest, R> method) {
        return method.toBuilder(method.getRequestMarshaller(), EncodedMessage.MARSHALLER).build();
    }
}
