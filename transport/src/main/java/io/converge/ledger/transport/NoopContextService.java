package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.ledger.core.EntryIds;
import io.converge.ledger.core.EpochNanoClock;
import io.grpc.stub.StreamObserver;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The no-op baseline: {@code converge.context.v1} answering Append at once, on the calling
 * gRPC thread, with the response the ledger would send (the entry echoed with a sequence,
 * an id and a time), without touching a ledger. Stores nothing; every other rpc is
 * UNIMPLEMENTED. It exists so that a benchmark measures the transport's own cost in the
 * same run as the ledger's, and gives the ledger's rate as a ratio to it. Thread-safe.
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
}
