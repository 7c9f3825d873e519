package io.converge.ledger.core;

/**
 * The ledger's server-side latencies, per command (appends, loads, watch registrations),
 * recorded by the completion thread. Both start when a caller publishes the command into
 * the ring.
 */
public final class LedgerLatency {
    private final LatencyRecorder publishToSequenced = new LatencyRecorder();
    private final LatencyRecorder publishToReply = new LatencyRecorder();

    LedgerLatency() {
    }

    /** From publish into the ring until the sequencer finished the command (stored, or refused). */
    public LatencyRecorder publishToSequenced() {
        return publishToSequenced;
    }

    /** From publish into the ring until the caller's callback returned (its reply handed to gRPC). */
    public LatencyRecorder publishToReply() {
        return publishToReply;
    }

    /** Completion thread only: before the first record of a ring batch. */
    void beginBatch() {
        publishToSequenced.beginBatch();
        publishToReply.beginBatch();
    }

    /** Completion thread only: after the last record of a ring batch. */
    void endBatch() {
        publishToSequenced.endBatch();
        publishToReply.endBatch();
    }

    /**
     * Completion thread only, between {@link #beginBatch()} and {@link #endBatch()}: {@code count}
     * commands (the entries of one batch, which share their publish and sequenced times) took these times.
     */
    void record(long publishedAtNanos, long sequencedAtNanos, long repliedAtNanos, long count) {
        publishToSequenced.record(sequencedAtNanos - publishedAtNanos, count);
        publishToReply.record(repliedAtNanos - publishedAtNanos, count);
    }
}
