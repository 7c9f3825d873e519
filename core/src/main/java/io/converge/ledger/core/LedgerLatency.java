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

    /** Completion thread only. */
    void record(long publishedAtNanos, long sequencedAtNanos, long repliedAtNanos) {
        publishToSequenced.record(sequencedAtNanos - publishedAtNanos);
        publishToReply.record(repliedAtNanos - publishedAtNanos);
    }
}
