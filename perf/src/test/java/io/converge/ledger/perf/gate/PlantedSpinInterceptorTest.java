package io.converge.ledger.perf.gate;

import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlantedSpinInterceptorTest {
    private static final long APPEND_NANOS = 3_000_000;
    private static final long STREAM_NANOS = 2_000_000;

    private final PlantedSpinInterceptor interceptor = new PlantedSpinInterceptor(APPEND_NANOS, STREAM_NANOS);

    @Test
    void anAppendMessageReachesTheServiceAfterAtLeastTheUnarySpin() {
        Recorded<AppendRequest> service = new Recorded<>();
        ServerCall.Listener<AppendRequest> listener = interceptor.interceptCall(
            new StubCall<>(ContextServiceGrpc.getAppendMethod()), new Metadata(), service);
        long start = System.nanoTime();
        listener.onMessage(AppendRequest.getDefaultInstance());
        long elapsed = System.nanoTime() - start;
        assertEquals(1, service.messages.size());
        assertTrue(elapsed >= APPEND_NANOS, elapsed + " ns");
    }

    @Test
    void everyAppendStreamMessageReachesTheServiceAfterAtLeastTheStreamSpin() {
        Recorded<AppendBatchRequest> service = new Recorded<>();
        ServerCall.Listener<AppendBatchRequest> listener = interceptor.interceptCall(
            new StubCall<>(ContextServiceGrpc.getAppendStreamMethod()), new Metadata(), service);
        for (int i = 1; i <= 3; i++) {
            long start = System.nanoTime();
            listener.onMessage(AppendBatchRequest.getDefaultInstance());
            long elapsed = System.nanoTime() - start;
            assertEquals(i, service.messages.size());
            assertTrue(elapsed >= STREAM_NANOS, "message " + i + ": " + elapsed + " ns");
        }
    }

    @Test
    void otherMethodsAndAZeroSpinGetTheServicesOwnListener() {
        Recorded<GetRequest> get = new Recorded<>();
        assertSame(get.listener, interceptor.interceptCall(new StubCall<>(ContextServiceGrpc.getGetMethod()),
            new Metadata(), get));
        Recorded<AppendRequest> append = new Recorded<>();
        assertSame(append.listener, new PlantedSpinInterceptor(0, STREAM_NANOS).interceptCall(
            new StubCall<>(ContextServiceGrpc.getAppendMethod()), new Metadata(), append));
    }

    /** The service's side: records the messages its listener is given. */
    private static final class Recorded<Q> implements ServerCallHandler<Q, Object> {
        final List<Q> messages = new ArrayList<>();
        final ServerCall.Listener<Q> listener = new ServerCall.Listener<>() {
            @Override
            public void onMessage(Q message) {
                messages.add(message);
            }
        };

        @Override
        public ServerCall.Listener<Q> startCall(ServerCall<Q, Object> call, Metadata headers) {
            return listener;
        }
    }

    /** A call of {@code method} that does nothing: the interceptor only reads its method. */
    private static final class StubCall<Q> extends ServerCall<Q, Object> {
        private final MethodDescriptor<Q, Object> method;

        @SuppressWarnings("unchecked") // the response type plays no part in these tests
        StubCall(MethodDescriptor<Q, ?> method) {
            this.method = (MethodDescriptor<Q, Object>) method;
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(Object message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<Q, Object> getMethodDescriptor() {
            return method;
        }
    }
}
