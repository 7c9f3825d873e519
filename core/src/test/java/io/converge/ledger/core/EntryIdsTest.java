package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EntryIdsTest {

    @Test
    void theWrittenTextIsTheFormattedIdInAsciiForAnyBits() {
        SplittableRandom random = new SplittableRandom(11);
        long[] edges = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1, 0x0123456789abcdefL};
        for (int i = 0; i < 10_000; i++) {
            long hi = i < edges.length ? edges[i] : random.nextLong();
            long lo = i < edges.length ? edges[edges.length - 1 - i] : random.nextLong();
            byte[] text = new byte[EntryIds.TEXT_BYTES + 2];
            EntryIds.writeText(hi, lo, text, 1);
            assertEquals(EntryIds.format(hi, lo), new String(text, 1, EntryIds.TEXT_BYTES, StandardCharsets.US_ASCII));
            assertEquals(0, text[0]);
            assertEquals(0, text[text.length - 1], "nothing written past the id");
        }
    }
}
