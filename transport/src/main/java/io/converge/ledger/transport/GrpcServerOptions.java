package io.converge.ledger.transport;

import io.grpc.ServerBuilder;

/**
 * The server options the ledger and the no-op baseline share, so that a side-by-side
 * measurement differs only in what the service does; and the call lanes they own.
 *
 * <p>Calls arrive on the transport's own threads (grpc-java's direct executor): Append and
 * Watch only validate and publish into the ledger's ring, which never blocks for longer
 * than the ring-full wait, so handing them to another thread would cost a thread switch
 * per call and buy nothing. The calls that read, encode or decode megabytes hand their work
 * to a {@link CallLane} of their own, so that they never hold up the other calls of a
 * connection, and so that cheap reads never queue behind expensive transfers:
 * <ul>
 *   <li>{@link #reads()}: Get ({@value #READ_LANE_CALLS} calls at most, running or waiting);</li>
 *   <li>{@link #transfers()}: Snapshot, Load, SnapshotChunks and LoadChunks
 *       ({@value #TRANSFER_LANE_CALLS} calls at most, a streamed one for its whole life).</li>
 * </ul>
 * A full lane refuses a call with RESOURCE_EXHAUSTED. Thread-safe.
 */
final class GrpcServerOptions implements AutoCloseable {
    static final int READ_LANE_CALLS = 1024;
    static final int TRANSFER_LANE_CALLS = 64;

    private final ServerSettings settings;
    private final CallLane reads;
    private final CallLane transfers;

    GrpcServerOptions(ServerSettings settings) {
        this.settings = settings;
        int cores = Runtime.getRuntime().availableProcessors();
        this.reads = new CallLane("read", Math.max(2, cores), READ_LANE_CALLS);
        this.transfers = new CallLane("transfer", Math.max(2, cores / 2), TRANSFER_LANE_CALLS);
    }

    /** Sets the shared options on {@code builder}; returns it. */
    ServerBuilder<?> applyTo(ServerBuilder<?> builder) {
        return builder
            .directExecutor()
            .maxInboundMessageSize(settings.maxInboundMessageBytes());
    }

    /** The lane of Get. */
    CallLane reads() {
        return reads;
    }

    /** The lane of Snapshot, Load, SnapshotChunks and LoadChunks. */
    CallLane transfers() {
        return transfers;
    }

    /** Stops the lanes once the server has terminated; work still queued is dropped. */
    @Override
    public void close() {
        reads.close();
        transfers.close();
    }
}
