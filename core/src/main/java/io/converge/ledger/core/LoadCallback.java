package io.converge.ledger.core;

/**
 * Receives the outcome of one {@link Ledger#load}: exactly one of its methods is called,
 * once, on the ledger's completion thread. Implementations must not block.
 */
public interface LoadCallback {
    /**
     * The snapshot's entries that continue the target are stored and visible.
     *
     * @param entriesRestored how many entries were appended to the target
     * @param latestSequence  the target's latest sequence afterwards
     */
    void onLoaded(long entriesRestored, long latestSequence);

    /** The load was refused and nothing changed. */
    void onRejected(LedgerException reason);
}
