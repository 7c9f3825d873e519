package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link MetadataBlock}: the record's metadata encoding made from byte ranges, read as a map and checked as one. */
class MetadataBlockTest {

    @Test
    void aBlockIsTheMapOfItsKeptPairsAndEncodesAsThatMapWould() {
        byte[] source = "k1v1é€k2v2dropped".getBytes(StandardCharsets.UTF_8);
        int[] ranges = {
            0, 2, 2, 2,     // k1 -> v1
            4, 2, 6, 3,     // é -> €
            9, 2, 11, 2,    // k2 -> v2
            13, -1, 0, 0,   // dropped
        };
        MetadataBlock block = MetadataBlock.copyOf(source, ranges, 4);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("k1", "v1");
        expected.put("é", "€");
        expected.put("k2", "v2");
        assertEquals(expected, block);
        assertEquals(3, block.size());
        assertEquals(InputRules.checkMetadata(expected), InputRules.checkMetadata(block));
        assertArrayEquals(EntryRecord.encodeMetadata(expected), EntryRecord.encodeMetadata(block));
    }

    @Test
    void aBlockOverTheLimitIsRefusedAsAnyMetadataIs() {
        byte[] source = new byte[InputRules.MAX_METADATA_BYTES + 1];
        java.util.Arrays.fill(source, (byte) 'a');
        MetadataBlock block = MetadataBlock.copyOf(source, new int[] {0, 1, 1, InputRules.MAX_METADATA_BYTES}, 1);

        LedgerException e = assertThrows(LedgerException.class, () -> InputRules.checkMetadata(block));
        assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason());
    }
}
