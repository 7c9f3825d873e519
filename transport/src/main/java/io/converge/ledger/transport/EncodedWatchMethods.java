package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.WatchRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

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
                methods.add(ServerMethodDefinition.create(one, ServerCalls.asyncServerStreamingCall(watch::accept)));
            } else if (name.equals(many.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(many,
                    ServerCalls.asyncServerStreamingCall(watchBatches::accept)));
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

    private static <R> MethodDescriptor<WatchRequest, EncodedMessage> encoded(MethodDescriptor<WatchRequest, R> method) {
        return method.toBuilder(method.getRequestMarshaller(), EncodedMessage.MARSHALLER).build();
    }
}
