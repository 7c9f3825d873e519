package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.AppendedBatch;
import io.converge.ledger.core.BatchAppendCallback;
import io.converge.ledger.core.EntryIds;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerException;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The gRPC edge of the ledger: translates each rpc of {@code converge.context.v1} into a
 * call on the {@link Ledger} and its outcome back into a response or a status. It holds
 * no state and decides nothing; every refusal comes from the core with its reason. Appends
 * that find the ring full wait for room without blocking their event loop ({@link RingRoomWait}).
 */
final class ContextGrpcService extends ContextServiceGrpc.ContextServiceImplBase {
    private static final System.Logger LOG = System.getLogger(ContextGrpcService.class.getName());

    private final Ledger ledger;
    private final GetPager pager;
    private final ReplyCoalescer replies;
    private final RingRoomWait ringRoom;
    private final CallLane reads;
    private final SnapshotTransfers transfers;
    private final WatchStreams watches;
    private final OpenAppendStreams appendStreams;

    /**
     * @param reads         the lane Get runs on
     * @param transfers     Snapshot, Load and their streamed forms, on their own lane
     * @param watches       Watch and WatchBatches, writing shared pre-encoded entries
     * @param appendStreams the open AppendStreams, which a shutdown ends
     */
    ContextGrpcService(Ledger ledger, GetPager pager, ReplyCoalescer replies, RingRoomWait ringRoom, CallLane reads,
                       SnapshotTransfers transfers, WatchStreams watches, OpenAppendStreams appendStreams) {
        this.ledger = ledger;
        this.pager = pager;
        this.replies = replies;
        this.ringRoom = ringRoom;
        this.reads = reads;
        this.transfers = transfers;
        this.watches = watches;
        this.appendStreams = appendStreams;
    }

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
        EventExecutor loop = ReplyCoalescer.currentLoop();
        AppendReply reply = new AppendReply(request, response, replies, loop);
        byte[] payload = request.getPayload().toByteArray();
        publish(loop, response, () -> ledger.tryAppend(request.getContextId(), request.getKey(), payload,
            ProtoEntries.metadataOf(request), reply));
    }

    /**
     * What to add to a server: the service, with AppendBatch and AppendStream reading
     * {@link WireBatch}es by {@code parsing}, and Watch and WatchBatches writing shared
     * pre-encoded entries.
     */
    ServerServiceDefinition definition(WireBatchParsing parsing) {
        return EncodedWatchMethods.bind(WireBatchMethods.bind(bindService(), parsing, this::appendWireBatch,
            this::appendWireStream), watches::watch, watches::watchBatches);
    }

    private void appendWireBatch(WireBatch batch, StreamObserver<EncodedMessage> response) {
        EventExecutor loop = ReplyCoalescer.currentLoop();
        BatchReply reply = new BatchReply(response, replies, loop);
        publish(loop, response, () -> ledger.tryAppendBatch(batch, null, reply));
    }

    /**
     * Runs {@code tryPublish} (a {@code Ledger.try*} call: false when the ring is full) now or,
     * while the ring stays full, from {@code loop} until the configured wait is over; a refusal
     * of the input, or the wait running out, answers {@code response} with its status.
     */
    private void publish(EventExecutor loop, StreamObserver<?> response, BooleanSupplier tryPublish) {
        ringRoom.publish(loop, () -> {
            try {
                return tryPublish.getAsBoolean();
            } catch (RuntimeException e) {
                fail(response, e);
                return true;
            }
        }, () -> response.onError(Statuses.of(ledger.ringFull())));
    }

    private StreamObserver<WireBatch> appendWireStream(StreamObserver<EncodedMessage> response) {
        return new AppendStreamCall(ledger, ringRoom, (ServerCallStreamObserver<EncodedMessage>) response, replies,
            appendStreams);
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
        try {
            reads.admit();
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        try {
            reads.run(() -> {
                try {
                    ReadBarrier.await(ledger, request.getContextId(), request.getKey());
                    var view = ledger.view(request.getContextId(), request.getKey());
                    response.onNext(pager.page(view, request.getKey(),
                        ProtoEntries.unsignedSaturated(request.getAfterSequence()),
                        Integer.toUnsignedLong(request.getLimit())));
                    response.onCompleted();
                } catch (RuntimeException e) {
                    fail(response, e);
                } finally {
                    reads.leave();
                }
            });
        } catch (RejectedExecutionException e) {
            reads.leave();
            response.onError(SnapshotTransfers.shuttingDown());
        }
    }

    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> response) {
        transfers.snapshot(request, response);
    }

    @Override
    public void load(LoadRequest request, StreamObserver<LoadResponse> response) {
        transfers.load(request, response);
    }

    @Override
    public void snapshotChunks(SnapshotRequest request, StreamObserver<SnapshotChunk> response) {
        transfers.snapshotChunks(request, response);
    }

    @Override
    public StreamObserver<LoadChunk> loadChunks(StreamObserver<LoadResponse> response) {
        return transfers.loadChunks(response);
    }

    private static void fail(StreamObserver<?> response, RuntimeException e) {
        if (e instanceof LedgerException refused) {
            response.onError(Statuses.of(refused));
        } else {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure serving a request", e);
            response.onError(Statuses.internal(e));
        }
    }

    /** Answers one Append: built on the ledger's completion thread, sent on the call's event loop. */
    private static final class AppendReply implements AppendCallback {
        private final AppendRequest request;
        private final StreamObserver<AppendResponse> response;
        private final ReplyCoalescer replies;
        private final EventExecutor loop;

        AppendReply(AppendRequest request, StreamObserver<AppendResponse> response, ReplyCoalescer replies,
                    EventExecutor loop) {
            this.request = request;
            this.response = response;
            this.replies = replies;
            this.loop = loop;
        }

        @Override
        public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
            AppendResponse reply = AppendResponse.newBuilder()
                .setEntry(Entry.newBuilder()
                    .setId(EntryIds.format(idHi, idLo))
                    .setKey(request.getKey())
                    .setPayload(request.getPayload())
                    .setSequence(sequence)
                    .setAppendedAtNs(appendedAtNs)
                    .putAllMetadata(request.getMetadataMap()))
                .build();
            replies.reply(loop, () -> {
                response.onNext(reply);
                response.onCompleted();
            });
        }

        @Override
        public void onRejected(LedgerException reason) {
            response.onError(Statuses.of(reason));
        }
    }

    /** Answers one AppendBatch: the acks are built and sent on the call's event loop. */
    private static final class BatchReply implements BatchAppendCallback {
        private final StreamObserver<EncodedMessage> response;
        private final ReplyCoalescer replies;
        private final EventExecutor loop;

        BatchReply(StreamObserver<EncodedMessage> response, ReplyCoalescer replies, EventExecutor loop) {
            this.response = response;
            this.replies = replies;
            this.loop = loop;
        }

        @Override
        public void onAppended(AppendedBatch acks) {
            replies.reply(loop, () -> {
                response.onNext(BatchAcks.of(acks));
                response.onCompleted();
            });
        }

        @Override
        public void onRejected(LedgerException reason) {
            response.onError(Statuses.of(reason));
        }
    }
}
