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
     * @param idHi         the high 64 bits of the entry's fresh id
     * @param idLo         the low 64 bits of the entry's fresh id; {@link EntryIds#format} renders
     *                     the pair as the id's string, which this call leaves to whoever needs it
     * @param appendedAtNs the entry's append time, Unix epoch in nanoseconds
     */
    void onAppended(long sequence, long idHi, long idLo, long appendedAtNs);

    /** The entry was refused and nothing was stored. */
    void onRejected(LedgerException reason);
}
