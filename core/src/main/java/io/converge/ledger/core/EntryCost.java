package io.converge.ledger.core;

/**
 * What one stored entry counts against the ledger's memory budget: an estimate, in
 * bytes, of the heap it keeps reachable. Stateless.
 */
final class EntryCost {
    /** Column slots (3 longs, 3 references) and the payload array's header. */
    static final int FIXED_BYTES = 64;
    /** Per metadata pair: two String headers and a map node. */
    static final int PER_METADATA_PAIR_BYTES = 96;

    private EntryCost() {
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
