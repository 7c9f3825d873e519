package io.converge.ledger.transport.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Watch streams stalled by their client: the server has an entry to send, but gRPC flow
 * control says the client has not read what it was sent ({@code isReady()} answered false),
 * as {@code ledger.watchers.stalled} (streams stalled now) and
 * {@code ledger.watchers.stalled.longest} (seconds the longest-stalled one has waited).
 *
 * <p>As an interceptor it watches only the server-streaming methods whose name starts with
 * {@code Watch}: the ledger asks a Watch stream whether it is ready only when it has an
 * entry for it, so a false answer starts a stall; the stream's next true answer, its
 * on-ready event, a message sent, or its end clears it. Other calls pass untouched.
 * Thread-safe; per Watch call it allocates two wrappers.
 */
public final class WatchStalls implements ServerInterceptor {
    private final Set<StallTrackingCall<?, ?>> stalled = ConcurrentHashMap.newKeySet();
    private final LongSupplier nanoTime;

    /** Registers its two gauges on {@code registry}. */
    public WatchStalls(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    WatchStalls(MeterRegistry registry, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        Gauge.builder("ledger.watchers.stalled", this, WatchStalls::stalledNow)
            .description("Watch streams with an entry to send whose client has not read what it was sent")
            .strongReference(true)
            .register(registry);
        Gauge.builder("ledger.watchers.stalled.longest", this, w -> w.longestStallNanos() / 1e9)
            .description("how long the longest-stalled Watch stream has waited for its client to read")
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);
    }

    /** Watch streams stalled now. */
    public int stalledNow() {
        int n = 0;
        for (StallTrackingCall<?, ?> call : stalled) {
            if (call.stillStalled()) {
                n++;
            }
        }
        return n;
    }

    /** How long the longest-stalled Watch stream has been stalled, in nanoseconds; 0 when none is. */
    public long longestStallNanos() {
        long now = nanoTime.getAsLong();
        long longest = 0;
        for (StallTrackingCall<?, ?> call : stalled) {
            long since = call.stalledSince;
            if (since != StallTrackingCall.NOT_STALLED && call.stillStalled()) {
                longest = Math.max(longest, now - since);
            }
        }
        return longest;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getType().serverSendsOneMessage()
            && call.getMethodDescriptor().getType().clientSendsOneMessage()
            && String.valueOf(call.getMethodDescriptor().getBareMethodName()).startsWith("Watch")) {
            StallTrackingCall<Q, R> tracked = new StallTrackingCall<>(call);
            return new ClearingListener<>(next.startCall(tracked, headers), tracked);
        }
        return next.startCall(call, headers);
    }

    private final class StallTrackingCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
        static final long NOT_STALLED = Long.MIN_VALUE;
        volatile long stalledSince = NOT_STALLED;

        StallTrackingCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public boolean isReady() {
            boolean ready = super.isReady();
            if (!ready) {
                stall();
            } else if (stalledSince != NOT_STALLED) {
                clear();
            }
            return ready;
        }

        @Override
        public void sendMessage(R message) {
            if (stalledSince != NOT_STALLED) {
                clear();
            }
            super.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            clear();
            super.close(status, trailers);
        }

        /**
         * Whether the stall goes on: the transport still holds what the client has not read.
         * Asked at each reading of the gauges, so that a stall whose end raced with its start
         * (an on-ready between the false answer and the mark) is cleared here.
         */
        boolean stillStalled() {
            if (stalledSince == NOT_STALLED) {
                return false;
            }
            if (super.isReady()) {
                clear();
                return false;
            }
            return true;
        }

        synchronized void stall() {
            if (stalledSince == NOT_STALLED) {
                stalledSince = nanoTime.getAsLong();
                stalled.add(this);
            }
        }

        synchronized void clear() {
            stalledSince = NOT_STALLED;
            stalled.remove(this);
        }
    }

    private static final class ClearingListener<Q> extends SimpleForwardingServerCallListener<Q> {
        private final StallTrackingCall<Q, ?> call;

        ClearingListener(ServerCall.Listener<Q> delegate, StallTrackingCall<Q, ?> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onReady() {
            call.clear();
            super.onReady();
        }

        @Override
        public void onCancel() {
            call.clear();
            super.onCancel();
        }

        @Override
        public void onComplete() {
            call.clear();
            super.onComplete();
        }
    }
}
