package io.converge.ledger.transport.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts every completed gRPC call as {@code ledger.grpc.calls{method, status}}: {@code method}
 * is the full method name ({@code converge.context.v1.ContextService/Get}), {@code status}
 * the code the server closed the call with ({@code OK}, {@code INVALID_ARGUMENT}, ...). A call
 * that ends before the server closed it (the client cancelled, its deadline passed, the
 * connection dropped) is counted once, as {@code CANCELLED}.
 *
 * <p>A call is counted before its status is sent, so a client that has its answer finds
 * it counted. Only registered methods reach an interceptor, so the tag values are bounded
 * by the services and the 17 status codes; a counter is registered on first use.
 *
 * <p>Thread-safe. Per call it allocates the two forwarding wrappers gRPC needs and nothing
 * else: the counters are looked up by method name and status ordinal, without building tags.
 */
public final class GrpcCallCounter implements ServerInterceptor {
    static final String NAME = "ledger.grpc.calls";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, MethodCounters> byMethod = new ConcurrentHashMap<>();

    public GrpcCallCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        CountedCall<Q, R> counted = new CountedCall<>(call, countersFor(call.getMethodDescriptor().getFullMethodName()));
        return new CountedListener<>(next.startCall(counted, headers), counted);
    }

    private MethodCounters countersFor(String method) {
        MethodCounters counters = byMethod.get(method);
        return counters != null ? counters : byMethod.computeIfAbsent(method, m -> new MethodCounters(registry, m));
    }

    /** One method's counters, one slot per status code, each registered when first needed. */
    private static final class MethodCounters {
        private static final Status.Code[] CODES = Status.Code.values();

        private final MeterRegistry registry;
        private final String method;
        private final AtomicReferenceArray<Counter> byCode = new AtomicReferenceArray<>(CODES.length);

        MethodCounters(MeterRegistry registry, String method) {
            this.registry = registry;
            this.method = method;
        }

        void count(Status.Code code) {
            Counter counter = byCode.get(code.ordinal());
            if (counter == null) {
                // register() is idempotent: a racing thread gets the same counter
                counter = Counter.builder(NAME)
                    .description("gRPC calls completed, by full method name and status code")
                    .tag("method", method)
                    .tag("status", code.name())
                    .register(registry);
                byCode.set(code.ordinal(), counter);
            }
            counter.increment();
        }
    }

    /** The call as the service sees it: counts the status the service closes it with. */
    private static final class CountedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private static final VarHandle COUNTED;

        static {
            try {
                COUNTED = MethodHandles.lookup().findVarHandle(CountedCall.class, "counted", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final MethodCounters counters;
        @SuppressWarnings("unused") // written through COUNTED
        private volatile boolean counted;

        CountedCall(ServerCall<Q, R> delegate, MethodCounters counters) {
            super(delegate);
            this.counters = counters;
        }

        /** Counts the call once, whichever of close and cancel comes first. */
        void countOnce(Status.Code code) {
            if (COUNTED.compareAndSet(this, false, true)) {
                counters.count(code);
            }
        }

        @Override
        public void close(Status status, Metadata trailers) {
            countOnce(status.getCode());
            super.close(status, trailers);
        }
    }

    /** Relays the call's events to the service's listener; a cancellation counts the call. */
    private static final class CountedListener<Q> extends SimpleForwardingServerCallListener<Q> {
        private final CountedCall<Q, ?> call;

        CountedListener(ServerCall.Listener<Q> delegate, CountedCall<Q, ?> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onCancel() {
            call.countOnce(Status.Code.CANCELLED);
            super.onCancel();
        }
    }
}
