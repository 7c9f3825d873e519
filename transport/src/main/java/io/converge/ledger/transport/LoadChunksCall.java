package io.converge.ledger.transport;

import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadResponse;
import io.converge.ledger.core.InputRules;
import io.converge.ledger.core.LedgerException;
import io.converge.ledger.core.SnapshotBytes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * One LoadChunks call: takes {@code context_id} and {@code fail_if_exists} from the first
 * chunk, copies each chunk's data into direct memory, or a temporary file under the data
 * directory with file storage ({@link SnapshotBytes.Staging}), as it arrives, reserving it
 * from the {@link TransferBudget} first; and when the client half-closes, loads the staged
 * blob on the transfer lane under Load's rules: the blob is checked whole before anything
 * changes. Any refusal ends the call at once, frees the
 * staging and ignores what the client still sends. Cancelling frees everything.
 *
 * <p>Threading: gRPC calls the observer methods one at a time; the load runs on the lane
 * after the last of them, and the budget is released from whichever thread ends the call.
 */
final class LoadChunksCall implements StreamObserver<LoadChunk> {
    private final SnapshotTransfers transfers;
    private final ServerCallStreamObserver<LoadResponse> response;
    private final TransferBudget.Hold hold;
    /** Made with the first chunk; null before and after. */
    private SnapshotBytes.Staging staging;
    private String contextId;
    private boolean failIfExists;
    private boolean refused;

    LoadChunksCall(SnapshotTransfers transfers, ServerCallStreamObserver<LoadResponse> response) {
        this.transfers = transfers;
        this.response = response;
        this.hold = transfers.budget().open();
        SnapshotTransfers.releaseOnEnd(response, hold);
    }

    @Override
    public void onNext(LoadChunk chunk) {
        if (refused) {
            return;
        }
        try {
            if (contextId == null) {
                InputRules.checkContextId(chunk.getContextId());
                staging = transfers.newStaging();
                contextId = chunk.getContextId();
                failIfExists = chunk.getFailIfExists();
            }
            hold.reserve(chunk.getData().size(), "a LoadChunks call (" + staging.size() + " bytes staged so far)");
            for (ByteBuffer data : chunk.getData().asReadOnlyByteBufferList()) {
                staging.append(data);
            }
        } catch (LedgerException | StatusRuntimeException e) {
            refuse(e);
        } catch (OutOfMemoryError e) {
            refuse(Status.RESOURCE_EXHAUSTED.withDescription("the server has no direct memory left to stage "
                + "this LoadChunks call's blob: retry later").asRuntimeException());
        }
    }

    private void refuse(RuntimeException e) {
        refused = true;
        discardStaging();
        hold.release();
        SnapshotTransfers.fail(response, e);
    }

    @Override
    public void onError(Throwable t) {
        refused = true; // the client cancelled
        discardStaging();
        hold.release();
    }

    private void discardStaging() {
        if (staging != null) {
            staging.discard();
            staging = null;
        }
    }

    @Override
    public void onCompleted() {
        if (refused) {
            return;
        }
        if (contextId == null) {
            refuse(Status.INVALID_ARGUMENT.withDescription("LoadChunks received no chunk: the first names "
                + "the context_id").asRuntimeException());
            return;
        }
        SnapshotBytes blob;
        try {
            blob = staging.finish();
        } catch (LedgerException e) {
            refuse(e);
            return;
        } finally {
            staging = null;
        }
        CallLane lane = transfers.lane();
        try {
            lane.admit();
        } catch (StatusRuntimeException e) {
            refuse(e);
            return;
        }
        try {
            lane.run(() -> {
                try {
                    transfers.ledger().load(contextId, blob, failIfExists, new SnapshotTransfers.LoadReply(response, hold));
                } catch (RuntimeException e) {
                    hold.release();
                    SnapshotTransfers.fail(response, e);
                } finally {
                    lane.leave();
                }
            });
        } catch (RejectedExecutionException e) {
            lane.leave();
            refuse(SnapshotTransfers.shuttingDown());
        }
    }
}
