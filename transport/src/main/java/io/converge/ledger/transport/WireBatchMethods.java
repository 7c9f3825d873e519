package io.converge.ledger.transport;

import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.converge.ledger.transport.WireBatchParsing.Parsed;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Serves AppendBatch and AppendStream with requests read as {@link WireBatch}es instead of
 * generated messages: same method names, same wire bytes, same response messages, so
 * clients, reflection and the contract see no difference. What a service binds is
 * rebuilt with those two methods replaced; the schema descriptor is kept.
 */
final class WireBatchMethods {
    private WireBatchMethods() {
    }

    /**
     * {@code service} with AppendBatch answered by {@code appendBatch} and AppendStream by
     * {@code appendStream}, both taking {@link WireBatch}es parsed by {@code parsing}. Each
     * batch reaches them on the call's event loop (where gRPC delivers messages), in the
     * order sent, whether it was parsed there or on a parse thread; a request that could
     * not be parsed ends its call with the status {@code parsing} gave it.
     */
    static ServerServiceDefinition bind(
        ServerServiceDefinition service,
        WireBatchParsing parsing,
        BiConsumer<WireBatch, StreamObserver<EncodedMessage>> appendBatch,
        Function<StreamObserver<EncodedMessage>, StreamObserver<WireBatch>> appendStream) {
        MethodDescriptor<Parsed, EncodedMessage> batch = withWireRequests(
            ContextServiceGrpc.getAppendBatchMethod(), parsing);
        MethodDescriptor<Parsed, EncodedMessage> stream = withWireRequests(
            ContextServiceGrpc.getAppendStreamMethod(), parsing);
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            String name = method.getMethodDescriptor().getFullMethodName();
            if (name.equals(batch.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(batch, ServerCalls.asyncUnaryCall(
                    (request, response) -> unary(request, response, appendBatch))));
            } else if (name.equals(stream.getFullMethodName())) {
                methods.add(ServerMethodDefinition.create(stream, ServerCalls.asyncBidiStreamingCall(
                    response -> new InOrder(appendStream.apply(response), response))));
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

    private static MethodDescriptor<Parsed, EncodedMessage> withWireRequests(
        MethodDescriptor<AppendBatchRequest, ?> method, WireBatchParsing parsing) {
        return method.toBuilder(parsing.marshaller(), EncodedMessage.MARSHALLER).build();
    }

    /** The executor of the calling thread's event loop; off Netty (in-process), the thread that completes the parse. */
    private static Executor currentLoop() {
        EventExecutor loop = ReplyCoalescer.currentLoop();
        return loop != null ? loop : Runnable::run;
    }

    private static void unary(Parsed request, StreamObserver<EncodedMessage> response,
                              BiConsumer<WireBatch, StreamObserver<EncodedMessage>> appendBatch) {
        if (request.done()) {
            deliver(request, response, appendBatch);
        } else {
            request.whenDone(currentLoop(), () -> deliver(request, response, appendBatch));
        }
    }

    private static void deliver(Parsed request, StreamObserver<EncodedMessage> response,
                                BiConsumer<WireBatch, StreamObserver<EncodedMessage>> appendBatch) {
        if (request.outcome() instanceof Status refused) {
            response.onError(refused.asRuntimeException());
        } else {
            appendBatch.accept((WireBatch) request.outcome(), response);
        }
    }

    /**
     * An AppendStream's requests handed on in the order sent: one whose parse is not done
     * holds back the ones after it (and the half-close). A request that could not be parsed
     * cancels the service's side of the stream and ends the call with its status; nothing
     * after it is handed on. gRPC calls {@code onNext}, {@code onCompleted} and
     * {@code onError} from one thread at a time; the parsed requests follow on the event loop.
     */
    private static final class InOrder implements StreamObserver<Parsed> {
        private final StreamObserver<WireBatch> service;
        private final StreamObserver<EncodedMessage> response;
        private final Executor loop = currentLoop();
        /** Done once every request so far was handed on. */
        private CompletableFuture<Void> handedOn = CompletableFuture.completedFuture(null);
        private volatile boolean failed;

        InOrder(StreamObserver<WireBatch> service, StreamObserver<EncodedMessage> response) {
            this.service = service;
            this.response = response;
        }

        @Override
        public void onNext(Parsed request) {
            if (handedOn.isDone() && request.done()) {
                handOn(request);
            } else {
                handedOn = handedOn.thenCompose(v -> request.whenDone(loop, () -> handOn(request)));
            }
        }

        private void handOn(Parsed request) {
            if (failed) {
                return;
            }
            if (request.outcome() instanceof Status refused) {
                failed = true;
                // Under the service's lock, which it holds for every use of the call (AppendStreamCall
                // does): no answer of an earlier batch is sent after, or while, the call closes.
                synchronized (service) {
                    service.onError(refused.asRuntimeException());
                    response.onError(refused.asRuntimeException());
                }
            } else {
                service.onNext((WireBatch) request.outcome());
            }
        }

        @Override
        public void onCompleted() {
            if (handedOn.isDone()) {
                completed();
            } else {
                handedOn = handedOn.thenRunAsync(this::completed, loop);
            }
        }

        private void completed() {
            if (!failed) {
                service.onCompleted();
            }
        }

        @Override
        public void onError(Throwable t) {
            failed = true;
            service.onError(t);
        }
    }
}
