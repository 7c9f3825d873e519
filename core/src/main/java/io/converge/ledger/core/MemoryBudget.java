package io.converge.ledger.core;

/**
 * The ledger's memory budget: an estimate, in bytes, of the memory its stored entries
 * keep, checked before anything is stored. What an entry counts: its slot in the heap
 * index ({@value #INDEX_BYTES_PER_ENTRY} bytes), plus, when the records themselves live in
 * memory ({@code LEDGER_STORAGE=memory}), its record. A context counts its own structures
 * once. Records in mapped files count against the disk (see {@link SegmentFiles}), not
 * this.
 *
 * <p>Confined to the sequencer thread (and recovery before it).
 */
final class MemoryBudget {
    /** The record position each entry keeps in its context's index. */
    static final int INDEX_BYTES_PER_ENTRY = 8;
    /**
     * What a context costs before its entries, measured ({@code perf contexts}, 64-bit JVM with
     * compressed oops): its map node and table slot, the {@link ContextLog}, its chunk array and
     * first chunk, rounded up; the id's String and UTF-8 copy come on top ({@link #ofContext}).
     */
    static final int PER_CONTEXT_BYTES = 224;

    private final long limitBytes;
    private final boolean countsRecords;
    private final LedgerStats stats;
    private long usedBytes;

    /**
     * @param countsRecords whether records live in memory and count too
     */
    MemoryBudget(long limitBytes, boolean countsRecords, LedgerStats stats) {
        this.limitBytes = limitBytes;
        this.countsRecords = countsRecords;
        this.stats = stats;
    }

    /** What {@code entries} entries with records of {@code recordBytes} in all count. */
    long ofEntries(long entries, long recordBytes) {
        return INDEX_BYTES_PER_ENTRY * entries + (countsRecords ? recordBytes : 0);
    }

    /** What creating the context {@code contextId} counts, once, besides its entries. */
    static long ofContext(String contextId) {
        return PER_CONTEXT_BYTES + 3L * contextId.length();
    }

    boolean admits(long bytes) {
        return usedBytes + bytes <= limitBytes;
    }

    /** Counts {@code bytes} of {@code entries} entries (0 for a context's own cost) as stored. */
    void charge(long entries, long bytes) {
        usedBytes += bytes;
        stats.stored(entries, bytes);
    }

    /** The refusal of a request that needs {@code bytes} more than {@link #admits}. */
    LedgerException spent(long bytes) {
        return LedgerException.exhausted("the server's memory budget for entries is spent: " + usedBytes + " of "
            + limitBytes + " bytes are stored and this request needs " + bytes + " more");
    }
}
