package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.ledger.core.EntryIds;
import io.converge.ledger.core.EpochNanoClock;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The no-op baseline: {@code converge.context.v1} answering Append, AppendBatch and
 * AppendStream at once, on the calling gRPC thread, with the response the ledger would
 * send, without touching a ledger. Append echoes the entry with a sequence, an id and a
 * time; a batch gets one {@code AppendAck} per entry, in request order, with consecutive
 * sequences from the same counter, an id each and one clock reading per batch (the ledger
 * reads its clock once per ring batch). AppendStream answers each request with one
 * response, in order, reads the next request only when the previous response could be
 * sent without buffering beyond gRPC's ready threshold (as the ledger reads only as fast
 * as it sequences), and completes when the client half-closes. Entries are not
 * validated. Stores nothing; every other rpc is UNIMPLEMENTED. It exists so that a
 * benchmark measures the transport's own cost in the same run as the ledger's, and gives
 * the ledger's rate as a ratio to it. Thread-safe.
 */
final class NoopContextService extends ContextServiceGrpc.ContextServiceImplBase {
    private final AtomicLong sequence = new AtomicLong();
    private final long idHi = new SecureRandom().nextLong();

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
        long n = sequence.incrementAndGet();
        response.onNext(AppendResponse.newBuilder()
            .setEntry(Entry.newBuilder()
                .setId(EntryIds.format(idHi, n))
                .setKey(request.getKey())
                .setPayload(request.getPayload())
                .setSequence(n)
                .setAppendedAtNs(EpochNanoClock.SYSTEM.getAsLong())
                .putAllMetadata(request.getMetadataMap()))
            .build());
        response.onCompleted();
    }

    /**
     * What to add to a server: the service, with AppendBatch and AppendStream reading
     * {@link WireBatch}es, as the ledger's do.
     */
    ServerServiceDefinition definition() {
        return WireBatchMethods.bind(bindService(), WireBatchParsing.inline(), this::appendWireBatch,
            this::appendWireStream);
    }

    private void appendWireBatch(WireBatch request, StreamObserver<EncodedMessage> response) {
        response.onNext(acks(request));
        response.onCompleted();
    }

    private StreamObserver<WireBatch> appendWireStream(StreamObserver<EncodedMessage> response) {
        ServerCallStreamObserver<EncodedMessage> call = (ServerCallStreamObserver<EncodedMessage>) response;
        call.disableAutoRequest();
        BatchStream stream = new BatchStream(call);
        call.setOnReadyHandler(stream::onReady);
        call.request(1);
        return stream;
    }

    /** One ack per entry of {@code request}, in order: what the ledger answers, built the same way. */
    private EncodedMessage acks(WireBatch request) {
        int count = request.size();
        long first = sequence.addAndGet(count) - count + 1;
        long appendedAt = EpochNanoClock.SYSTEM.getAsLong();
        return BatchAcks.consecutive(count, first, idHi, first, appendedAt);
    }

    /**
     * One AppendStream: answers each batch as it arrives and asks for the next one while
     * the call is ready. Its callbacks are serialized by gRPC, so {@code deferred} has one
     * writer at a time.
     */
    private final class BatchStream implements StreamObserver<WireBatch> {
        private final ServerCallStreamObserver<EncodedMessage> call;
        private boolean deferred;
        private boolean done;

        BatchStream(ServerCallStreamObserver<EncodedMessage> call) {
            this.call = call;
        }

        @Override
        public void onNext(WireBatch request) {
            call.onNext(acks(request));
            if (call.isReady()) {
                call.request(1);
            } else {
                deferred = true;
            }
        }

        void onReady() {
            if (deferred && !done && call.isReady()) {
                deferred = false;
                call.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            done = true; // the client cancelled: nothing to answer
        }

        @Override
        public void onCompleted() {
            done = true;
            call.onCompleted();
        }
    }
}
