package io.converge.ledger.core;

/**
 * Receives the outcome of one {@link Ledger#append}: exactly one of its methods is
 * called, once, on the ledger's completion thread. Implementations must not block.
 */
public interface AppendCallback {
    /**
     * The entry is stored and visible to every later read.
     *
     * @param sequence     the entry's sequence in its context
     * @param id           the entry's fresh id
     * @param appendedAtNs the entry's append time, Unix epoch in nanoseconds
     */
    void onAppended(long sequence, String id, long appendedAtNs);

    /** The entry was refused and nothing was stored. */
    void onRejected(LedgerException reason);
}
