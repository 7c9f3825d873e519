package io.converge.ledger.transport;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a service answer {@code INVALID_ARGUMENT} to a request the protobuf parser
 * rejects (malformed bytes, invalid UTF-8 in a string field). grpc-java answers such a
 * request itself, with {@code UNKNOWN} or {@code INTERNAL}, whatever the marshaller
 * throws; the contract never answers a client's input with either.
 *
 * <p>So each method's request marshaller is replaced by one that never throws: it hands
 * on the parsed message, or an {@link Unparsed} note of what was wrong, and a thin
 * listener closes the call with the note's status, before the service sees anything:
 * INVALID_ARGUMENT, or RESOURCE_EXHAUSTED when gRPC's inbound size limit tripped while
 * the parser was reading a compressed request as it inflated. The schema descriptor is
 * kept, so server reflection still describes the service. Adds no copy and no allocation
 * to a well-formed request.
 */
final class InvalidArgumentOnParseFailure {
    private InvalidArgumentOnParseFailure() {
    }

    static ServerServiceDefinition wrap(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> tolerant = wrapMethod(method);
            methods.add(tolerant);
            descriptor.addMethod(tolerant.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(builder::addMethod);
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Object, R> wrapMethod(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> md = method.getMethodDescriptor();
        MethodDescriptor<Object, R> tolerant = md.toBuilder(new TolerantMarshaller<>(md), md.getResponseMarshaller())
            .build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(tolerant, (call, headers) -> new Listener<>(call,
            handler.startCall(new NarrowedCall<>(call, md), headers)));
    }

    /** What a request that failed to parse becomes: the status to close its call with. */
    private record Unparsed(Status status) {
    }

    private static final class TolerantMarshaller<Q> implements MethodDescriptor.Marshaller<Object> {
        private final MethodDescriptor<Q, ?> method;

        TolerantMarshaller(MethodDescriptor<Q, ?> method) {
            this.method = method;
        }

        @Override
        public InputStream stream(Object value) {
            @SuppressWarnings("unchecked") // only ever called with the method's request type
            Q request = (Q) value;
            return method.streamRequest(request);
        }

        @Override
        public Object parse(InputStream stream) {
            try {
                return method.parseRequest(stream);
            } catch (RuntimeException e) {
                Status status = Status.fromThrowable(e);
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    // gRPC's own size limit, enforced while the parser reads a compressed
                    // request as it inflates: the request is too large, not malformed.
                    return new Unparsed(Status.RESOURCE_EXHAUSTED.withDescription("the " + requestName()
                        + " is too large: " + status.getDescription()));
                }
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return new Unparsed(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                    + requestName() + " message: " + cause.getMessage()));
            }
        }

        /** The request's message type, e.g. {@code AppendBatchRequest} (AppendStream's too), from the schema. */
        private String requestName() {
            if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier schema) {
                return schema.getMethodDescriptor().getInputType().getName();
            }
            String bare = method.getBareMethodName();
            return bare == null ? "request" : bare + "Request";
        }
    }

    /** Forwards to the service's listener, or closes the call when a request did not parse. */
    private static final class Listener<Q> extends ServerCall.Listener<Object> {
        private final ServerCall<Object, ?> call;
        private final ServerCall.Listener<Q> delegate;
        private boolean refused;

        Listener(ServerCall<Object, ?> call, ServerCall.Listener<Q> delegate) {
            this.call = call;
            this.delegate = delegate;
        }

        @Override
        @SuppressWarnings("unchecked") // anything but Unparsed came from the method's own parser
        public void onMessage(Object message) {
            if (refused) {
                return;
            }
            if (message instanceof Unparsed unparsed) {
                refused = true;
                call.close(unparsed.status(), new Metadata());
                return;
            }
            delegate.onMessage((Q) message);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            delegate.onCancel();
        }

        @Override
        public void onComplete() {
            delegate.onComplete();
        }

        @Override
        public void onReady() {
            if (!refused) {
                delegate.onReady();
            }
        }
    }

    /** The call as the service sees it: typed with its own request type. */
    private static final class NarrowedCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<Object, R> call;
        private final MethodDescriptor<Q, R> method;

        NarrowedCall(ServerCall<Object, R> call, MethodDescriptor<Q, R> method) {
            this.call = call;
            this.method = method;
        }

        @Override
        public void request(int numMessages) {
            call.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            call.sendHeaders(headers);
        }

        @Override
        public void sendMessage(R message) {
            call.sendMessage(message);
        }

        @Override
        public boolean isReady() {
            return call.isReady();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            call.close(status, trailers);
        }

        @Override
        public boolean isCancelled() {
            return call.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            call.setOnReadyThreshold(numBytes);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return call.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }
}
