package io.converge.ledger.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Serves AppendBatch and AppendStream with requests read as {@link WireBatch}es instead of
 * generated messages: same method names, same wire bytes, same response messages, so
 * clients, reflection and the contract see no difference. What a service binds is
 * rebuilt with those two methods replaced; the schema descriptor is kept.
 */
final class WireBatchMethods {
    /** Reads an {@code AppendBatchRequest} as a {@link WireBatch}; writes one back as the generated message would. */
    static final MethodDescriptor.Marshaller<WireBatch> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(WireBatch value) {
            return value.toProto().toByteString().newInput();
        }

        @Override
        public WireBatch parse(InputStream stream) {
            try {
                return WireBatch.parse(readAll(stream));
            } catch (InvalidProtocolBufferException e) {
                throw Status.INTERNAL.withDescription("Invalid protobuf byte sequence").withCause(e)
                    .asRuntimeException();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private WireBatchMethods() {
    }

    /** The whole message: read into one array of its size when gRPC knows it (it does for a received message). */
    private static byte[] readAll(InputStream stream) throws IOException {
        if (stream instanceof KnownLength) {
            int size = stream.available();
            byte[] bytes = new byte[size];
            if (stream.readNBytes(bytes, 0, size) == size && stream.read() < 0) {
                return bytes;
            }
            throw new IOException("the message was not the " + size + " bytes gRPC announced");
        }
        return stream.readAllBytes();
    }

    /**
     * {@code service} with AppendBatch answered by {@code appendBatch} and AppendStream by
     * {@code appendStream}, both taking {@link WireBatch}es.
     */
    static ServerServiceDefinition bind(
        ServerServiceDefinition service,
        BiConsumer<WireBatch, StreamObserver<AppendBatchResponse>> appendBatch,
        Function<StreamObserver<AppendBatchResponse>, StreamObserver<WireBatch>> appendStream) {
        MethodDescriptor<WireBatch, AppendBatchResponse> batch = withWireRequests(
            ContextServiceGrpc.getAppendBatchMethod());
        MethodDescriptor<WireBatch, AppendBatchResponse> stream = withWireRequests(
            ContextServiceGrpc.getAppendStreamMethod());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            String name = method.getMethodDescriptor().getFullMethodName();
            if (name.equals(batch.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(batch, ServerCalls.asyncUnaryCall(appendBatch::accept)));
            } else if (name.equals(stream.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(stream, ServerCalls.asyncBidiStreamingCall(appendStream::apply)));
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

    private static MethodDescriptor<WireBatch, AppendBatchResponse> withWireRequests(
        MethodDescriptor<AppendBatchRequest, AppendBatchResponse> method) {
        return method.toBuilder(MARSHALLER, method.getResponseMarshaller()).build();
    }
}
