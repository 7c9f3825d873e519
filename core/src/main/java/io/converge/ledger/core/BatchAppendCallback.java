package io.converge.ledger.core;

/**
 * Receives the outcome of one {@link Ledger#appendBatch}: exactly one of its methods is
 * called, once, on the ledger's completion thread, after the outcome of every command
 * published into the ring before the batch. Implementations must not block.
 */
public interface BatchAppendCallback {
    /** Every entry of the batch is stored and visible to every later read; {@code acks} holds what each got. */
    void onAppended(AppendedBatch acks);

    /** The batch was refused whole and nothing of it was stored. */
    void onRejected(LedgerException reason);
}
