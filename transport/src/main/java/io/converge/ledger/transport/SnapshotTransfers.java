package io.converge.ledger.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotMetadata;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerException;
import io.converge.ledger.core.LoadCallback;
import io.converge.ledger.core.SnapshotBytes;
import io.converge.ledger.core.SnapshotStream;
import io.converge.ledger.core.StorageConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;

/**
 * Snapshot, Load, SnapshotChunks and LoadChunks: every one runs its work on the transfer
 * {@link CallLane} and holds its bytes against the {@link TransferBudget} until it ends. A
 * unary Snapshot or Load whose blob would exceed the message cap is refused with
 * RESOURCE_EXHAUSTED naming the streamed rpc. Thread-safe.
 */
final class SnapshotTransfers {
    /** Room for the fields of a SnapshotResponse or LoadRequest besides the blob. */
    private static final int ENVELOPE_BYTES = 2 * 1024;

    private final Ledger ledger;
    private final CallLane lane;
    private final TransferBudget budget;
    private final int messageCap;
    private final Path stagingDirectory;

    /** As below, staging LoadChunks blobs in direct memory. */
    SnapshotTransfers(Ledger ledger, CallLane lane, TransferBudget budget, int messageCap) {
        this(ledger, lane, budget, messageCap, null);
    }

    /**
     * @param messageCap       the largest gRPC message the server sends or takes, in bytes
     * @param stagingDirectory where LoadChunks stages its blobs in temporary files (under the
     *                         data directory for file storage; stale files there are deleted
     *                         now), or null to stage them in direct memory
     */
    SnapshotTransfers(Ledger ledger, CallLane lane, TransferBudget budget, int messageCap, Path stagingDirectory) {
        this.ledger = ledger;
        this.lane = lane;
        this.budget = budget;
        this.messageCap = messageCap;
        this.stagingDirectory = stagingDirectory;
        if (stagingDirectory != null) {
            deleteStale(stagingDirectory);
        }
    }

    /** The staging directory of a server with {@code settings}: under its data directory, or null in memory. */
    static Path stagingDirectory(ServerSettings settings) {
        StorageConfig storage = settings.ledger().storage();
        return storage.mode() == StorageConfig.Mode.MEMORY ? null : storage.dataDirectory().resolve("load-staging");
    }

    /** Staging files a crashed server left behind; the data directory's lock is ours by now. */
    private static void deleteStale(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(directory, "load-*.staging")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.getLogger(SnapshotTransfers.class.getName()).log(System.Logger.Level.WARNING,
                "cannot clear stale staging files in " + directory + ": " + e.getMessage());
        }
    }

    /** A new staging area for one LoadChunks call. */
    SnapshotBytes.Staging newStaging() {
        return stagingDirectory == null ? SnapshotBytes.staging() : SnapshotBytes.staging(stagingDirectory);
    }

    Ledger ledger() {
        return ledger;
    }

    CallLane lane() {
        return lane;
    }

    TransferBudget budget() {
        return budget;
    }

    void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> observer) {
        ServerCallStreamObserver<SnapshotResponse> response = (ServerCallStreamObserver<SnapshotResponse>) observer;
        TransferBudget.Hold hold = budget.open();
        releaseOnEnd(response, hold);
        onLane(response, hold, () -> {
            ReadBarrier.await(ledger, request.getContextId(), "");
            SnapshotStream s = ledger.snapshotStream(request.getContextId());
            if (s.sizeBytes() > messageCap - ENVELOPE_BYTES) {
                throw Status.RESOURCE_EXHAUSTED.withDescription("a snapshot of context " + request.getContextId()
                    + " is " + s.sizeBytes() + " bytes, more than fits the server's " + messageCap
                    + "-byte message cap: use SnapshotChunks").asRuntimeException();
            }
            hold.reserve(s.sizeBytes(), "a snapshot of context " + request.getContextId());
            if (response.isCancelled()) {
                return;
            }
            response.onNext(SnapshotResponse.newBuilder()
                .setSnapshot(UnsafeByteOperations.unsafeWrap(s.readAll()))
                .setSequence(s.latestSequence())
                .setMetadata(metadata(s))
                .build());
            response.onCompleted();
        });
    }

    void load(LoadRequest request, StreamObserver<LoadResponse> observer) {
        ServerCallStreamObserver<LoadResponse> response = (ServerCallStreamObserver<LoadResponse>) observer;
        TransferBudget.Hold hold = budget.open();
        releaseOnEnd(response, hold);
        try {
            int size = request.getSnapshot().size();
            if (size > messageCap - ENVELOPE_BYTES) {
                // Only a request just under grpc's own cap gets here; a larger one grpc refuses itself.
                throw Status.RESOURCE_EXHAUSTED.withDescription("a snapshot of " + size + " bytes is more than fits"
                    + " the server's " + messageCap + "-byte message cap: use LoadChunks").asRuntimeException();
            }
            hold.reserve(size, "a Load of a " + size + "-byte snapshot");
        } catch (StatusRuntimeException e) {
            hold.release();
            response.onError(e);
            return;
        }
        onLane(response, hold, () -> ledger.load(request.getContextId(),
            SnapshotBytes.of(request.getSnapshot().asReadOnlyByteBuffer()), request.getFailIfExists(),
            new LoadReply(response, hold)));
    }

    void snapshotChunks(SnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
        new SnapshotChunksCall(this, request.getContextId(), (ServerCallStreamObserver<SnapshotChunk>) observer).start();
    }

    StreamObserver<LoadChunk> loadChunks(StreamObserver<LoadResponse> observer) {
        return new LoadChunksCall(this, (ServerCallStreamObserver<LoadResponse>) observer);
    }

    static SnapshotMetadata metadata(SnapshotStream s) {
        return SnapshotMetadata.newBuilder()
            .setCreatedAtNs(s.createdAtNs())
            .setEntryCount(s.entryCount())
            .setVersion(s.version())
            .build();
    }

    /** Releases {@code hold} when the call ends, however it ends (also if it ended already). */
    static void releaseOnEnd(ServerCallStreamObserver<?> response, TransferBudget.Hold hold) {
        response.setOnCancelHandler(hold::release);
        response.setOnCloseHandler(hold::release);
        if (response.isCancelled()) {
            hold.release();
        }
    }

    /**
     * Admits a unary call to the lane and runs {@code work} there; a refusal, or a failure of
     * {@code work}, answers the call and releases {@code hold}.
     */
    private void onLane(StreamObserver<?> response, TransferBudget.Hold hold, Runnable work) {
        try {
            lane.admit();
        } catch (StatusRuntimeException e) {
            hold.release();
            response.onError(e);
            return;
        }
        try {
            lane.run(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    hold.release();
                    fail(response, e);
                } finally {
                    lane.leave();
                }
            });
        } catch (RejectedExecutionException e) {
            lane.leave();
            hold.release();
            response.onError(shuttingDown());
        }
    }

    static StatusRuntimeException shuttingDown() {
        return Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException();
    }

    /** Answers a failed call: the ledger's refusal or a status as they are; anything else as INTERNAL, logged. */
    static void fail(StreamObserver<?> response, RuntimeException e) {
        try {
            if (e instanceof LedgerException refused) {
                response.onError(Statuses.of(refused));
            } else if (e instanceof StatusRuntimeException status) {
                response.onError(status);
            } else {
                System.getLogger(SnapshotTransfers.class.getName()).log(System.Logger.Level.ERROR,
                    "unexpected failure serving a snapshot or load", e);
                response.onError(Statuses.internal(e));
            }
        } catch (IllegalStateException alreadyClosed) {
            // the call was cancelled or answered meanwhile: nothing to tell
        }
    }

    /** Answers a Load from the ledger's completion thread, then gives its bytes back. */
    static final class LoadReply implements LoadCallback {
        private final StreamObserver<LoadResponse> response;
        private final TransferBudget.Hold hold;

        LoadReply(StreamObserver<LoadResponse> response, TransferBudget.Hold hold) {
            this.response = response;
            this.hold = hold;
        }

        @Override
        public void onLoaded(long entriesRestored, long latestSequence) {
            hold.release();
            try {
                response.onNext(LoadResponse.newBuilder()
                    .setEntriesRestored(entriesRestored)
                    .setLatestSequence(latestSequence)
                    .build());
                response.onCompleted();
            } catch (IllegalStateException cancelled) {
                // the client went away; the entries are restored all the same
            }
        }

        @Override
        public void onRejected(LedgerException reason) {
            hold.release();
            fail(response, reason);
        }
    }
}
