package io.converge.ledger.core;

/**
 * What one stored entry counts against the ledger's memory budget: an estimate, in
 * bytes, of the heap it keeps reachable. Stateless.
 */
final class EntryCost {
    /** Column slots (4 longs, 3 references: 44 B) and a share of the key String's and chunks' headers. */
    static final int FIXED_BYTES = 64;
    /** Per metadata pair: two String headers and a map node. */
    static final int PER_METADATA_PAIR_BYTES = 96;

    /**
     * What a context costs before its entries, measured ({@code perf contexts}, 64-bit JVM with
     * compressed oops; docs/PERFORMANCE.md "Many contexts"): its map node and table slot (43),
     * the {@code ContextLog} (56), its chunk array (24), the first chunk's wrapper and two array
     * headers with padding (60), and the context id's String and byte[] headers (40 + padding),
     * rounded up. A one-entry context holds ~398 B of heap, of which {@link #of} counts only
     * ~136 B: without this, a budget of half the heap admits more one-entry contexts than the
     * heap holds.
     */
    static final int PER_CONTEXT_BYTES = 224;

    private EntryCost() {
    }

    /**
     * What creating the context {@code contextId} counts against the budget, once, besides its
     * entries: {@link #PER_CONTEXT_BYTES} and the id's characters (two bytes each, as keys count).
     */
    static long ofContext(String contextId) {
        return PER_CONTEXT_BYTES + 2L * contextId.length();
    }

    /**
     * @param keyBytes      the key's UTF-8 length
     * @param payloadBytes  the payload's length
     * @param metadataBytes UTF-8 bytes of every metadata key and value, summed
     * @param metadataPairs number of metadata pairs
     */
    static long of(int keyBytes, int payloadBytes, int metadataBytes, int metadataPairs) {
        return FIXED_BYTES + 2L * keyBytes + payloadBytes + 2L * metadataBytes
            + (long) PER_METADATA_PAIR_BYTES * metadataPairs;
    }
}
