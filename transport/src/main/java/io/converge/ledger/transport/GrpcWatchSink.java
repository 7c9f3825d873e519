package io.converge.ledger.transport;

import io.converge.context.v1.WatchEvent;
import io.converge.ledger.core.Entry;
import io.converge.ledger.core.WatchSink;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One Watch stream as the core's {@link WatchSink}: ready exactly when gRPC flow control
 * lets the server send without buffering, so a slow client holds no more than its window.
 * The core calls it from one thread at a time.
 */
final class GrpcWatchSink implements WatchSink {
    private final ServerCallStreamObserver<WatchEvent> call;

    GrpcWatchSink(ServerCallStreamObserver<WatchEvent> call) {
        this.call = call;
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
