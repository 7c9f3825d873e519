package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryCostTest {
    @Test
    void anEntryCountsItsFixedPartItsKeyAndPayloadAndItsMetadata() {
        assertEquals(EntryCost.FIXED_BYTES + 2 * 4 + 64, EntryCost.of(4, 64, 0, 0));
        assertEquals(EntryCost.FIXED_BYTES + 2 * 10 + EntryCost.PER_METADATA_PAIR_BYTES, EntryCost.of(0, 0, 10, 1));
    }

    @Test
    void aContextCountsItsStructureAndItsIdOnce() {
        assertEquals(EntryCost.PER_CONTEXT_BYTES + 2 * 9, EntryCost.ofContext("context-1"));
    }

    /**
     * perf contexts measured ~397 B of heap per context of one entry (64-byte payload, key
     * "fact", id "context-N"): with the context's cost the budget counts within 10% of that.
     */
    @Test
    void aOneEntryContextCountsCloseToWhatItWasMeasuredToHold() {
        long counted = EntryCost.of(4, 64, 0, 0) + EntryCost.ofContext("context-123456");
        assertTrue(counted > 0.9 * 397 && counted < 1.1 * 397, counted + " B");
    }
}
