package io.converge.ledger.transport;

import io.converge.context.v1.WatchRequest;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's Watch and WatchBatches streams: admits each up to the watcher limit
 * ({@code LEDGER_MAX_WATCHERS}), and serves it from the shared {@link EncodedEntries}
 * within the shared {@link WatchBytesBudget}. Thread-safe.
 */
final class WatchStreams {
    private static final System.Logger LOG = System.getLogger(WatchStreams.class.getName());

    private final Ledger ledger;
    private final int maxWatchers;
    private final int batchCapBytes;
    private final EncodedEntries encoded;
    private final WatchBytesBudget budget;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param maxWatchers   open streams at most; more are refused with RESOURCE_EXHAUSTED
     * @param batchCapBytes the largest WatchBatch message, in bytes (a single larger entry goes alone)
     */
    WatchStreams(Ledger ledger, int maxWatchers, int batchCapBytes, EncodedEntries encoded, WatchBytesBudget budget) {
        this.ledger = ledger;
        this.maxWatchers = maxWatchers;
        this.batchCapBytes = Math.max(1, batchCapBytes);
        this.encoded = encoded;
        this.budget = budget;
    }

    /** Watch: one entry per message. */
    void watch(WatchRequest request, StreamObserver<EncodedMessage> response) {
        open(request, response, 0);
    }

    /** WatchBatches: as many consecutive matching entries per message as are ready, up to the cap. */
    void watchBatches(WatchRequest request, StreamObserver<EncodedMessage> response) {
        open(request, response, batchCapBytes);
    }

    private void open(WatchRequest request, StreamObserver<EncodedMessage> response, int cap) {
        if (open.incrementAndGet() > maxWatchers) {
            open.decrementAndGet();
            response.onError(Status.RESOURCE_EXHAUSTED.withDescription("the server already serves its limit of "
                + maxWatchers + " Watch and WatchBatches streams (LEDGER_MAX_WATCHERS); retry once some end")
                .asRuntimeException());
            return;
        }
        long from = ProtoEntries.unsignedSaturated(request.getFromSequence());
        GrpcWatchSink sink = new GrpcWatchSink((ServerCallStreamObserver<EncodedMessage>) response, encoded, budget,
            budget.open(connection()), cap, from, open::decrementAndGet);
        try {
            sink.attach(ledger.watch(request.getContextId(), request.getKey(), from, sink));
        } catch (LedgerException refused) {
            sink.refused();
            response.onError(Statuses.of(refused));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure opening a watch", e);
            sink.refused();
            response.onError(Statuses.internal(e));
        }
    }

    /** The client connection of the call being started: its remote address, as {@link EncodedWatchMethods} found it. */
    private static Object connection() {
        Object remote = EncodedWatchMethods.REMOTE_ADDRESS.get();
        return remote == null ? "unknown" : remote;
    }

    /** Streams open now. */
    int open() {
        return open.get();
    }

    EncodedEntries encoded() {
        return encoded;
    }

    WatchBytesBudget budget() {
        return budget;
    }
}
