package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated log a clustered ledger writes through instead of its own sequencer: the
 * ring's forwarding stage offers one {@link LogMessages} message per ring batch, the log
 * orders and commits them, and every member applies them, in log order, through its
 * {@link LogApplier}. Implemented by the cluster module over Aeron Cluster; core knows only
 * this interface.
 */
public interface ReplicatedLog {
    /** This member's id in the cluster; a message's origin. */
    int memberId();

    /**
     * Mixed with the cluster time of the log's first write into the high 64 bits of every id
     * the cluster issues (see {@link LogApplier#idBits()}); the same on every member.
     */
    long idBits();

    /** The largest message {@link #offer} takes, in bytes. */
    int maxMessageBytes();

    /**
     * How long an offered message may take to be committed and applied on this member before
     * its callers are answered UNAVAILABLE, in nanoseconds.
     */
    long commitTimeoutNanos();

    /**
     * The forwarding thread only: takes a copy of {@code message}'s bytes from its position to
     * its limit, to offer to the cluster. Never blocks.
     *
     * @return false when it cannot take it now (then {@link #unavailableReason()} says why)
     */
    boolean offer(ByteBuffer message);

    /** Why the last {@link #offer} was refused, for the callers' refusal. */
    String unavailableReason();

    /**
     * Any thread: completes once this member has applied every entry that any member had
     * acknowledged when this was called (a barrier message sequenced through the log after
     * this call); completes exceptionally with a {@link LedgerException} UNAVAILABLE when it
     * cannot within the commit timeout.
     */
    CompletableFuture<Void> readBarrier();
}
