package io.converge.ledger.transport;

import io.converge.context.v1.WatchEvent;
import io.converge.ledger.core.Entry;
import io.converge.ledger.core.WatchSink;
import io.converge.ledger.core.WatchSubscription;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One Watch stream as the core's {@link WatchSink}: ready exactly when gRPC flow control
 * lets the server send without buffering, so a slow client holds no more than its window.
 * The core calls the sink methods from one thread at a time.
 *
 * <p>It also relays the call's on-ready and on-cancel events to the subscription, which
 * exists only once the ledger accepted the watch: {@link #attach} hands it over, and a
 * cancellation that came first is applied then.
 */
final class GrpcWatchSink implements WatchSink {
    private final ServerCallStreamObserver<WatchEvent> call;
    private volatile WatchSubscription subscription;

    GrpcWatchSink(ServerCallStreamObserver<WatchEvent> call) {
        this.call = call;
        call.setOnCancelHandler(this::cancel);
        call.setOnReadyHandler(this::resume);
    }

    void attach(WatchSubscription accepted) {
        subscription = accepted;
        if (call.isCancelled()) {
            accepted.cancel();
        }
    }

    private void cancel() {
        WatchSubscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void resume() {
        WatchSubscription s = subscription;
        if (s != null) {
            s.resume();
        }
    }

    @Override
    public boolean isReady() {
        return call.isReady() && !call.isCancelled();
    }

    @Override
    public void onEntry(Entry entry) {
        call.onNext(WatchEvent.newBuilder().setEntry(ProtoEntries.toProto(entry)).build());
    }

    @Override
    public void onClosed() {
        if (!call.isCancelled()) {
            call.onCompleted();
        }
    }
}
