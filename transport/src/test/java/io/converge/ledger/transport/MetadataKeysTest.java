package io.converge.ledger.transport;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link MetadataKeys} keeps the last pair of every key, by either of its paths. */
class MetadataKeysTest {

    @Test
    void everyKeyKeepsItsLastPairWhetherComparedHashedOrAsStrings() {
        Random r = new Random(11);
        for (int round = 0; round < 200; round++) {
            int pairs = 1 + r.nextInt(round < 100 ? 8 : 300);
            byte[] message = new byte[pairs * 2];
            int[] ranges = new int[pairs * 4];
            String[] keys = new String[pairs];
            for (int p = 0; p < pairs; p++) {
                keys[p] = "" + (char) ('a' + r.nextInt(6)) + (r.nextBoolean() ? (char) ('a' + r.nextInt(6)) : "");
                byte[] key = keys[p].getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(key, 0, message, 2 * p, key.length);
                ranges[4 * p] = 2 * p;
                ranges[4 * p + 1] = key.length;
            }
            int[] expected = ranges.clone();
            for (int p = 0; p < pairs; p++) {
                for (int later = p + 1; later < pairs; later++) {
                    if (keys[later].equals(keys[p])) {
                        expected[4 * p + 1] = -1;
                        break;
                    }
                }
            }
            int[] viaTable = ranges.clone();
            MetadataKeys.dropReplaced(message, viaTable, pairs);
            int[] viaStrings = ranges.clone();
            MetadataKeys.byStrings(message, viaStrings, pairs);

            assertArrayEquals(expected, viaTable, "round " + round + ": " + Arrays.toString(keys));
            assertArrayEquals(expected, viaStrings, "round " + round);
        }
    }

    @Test
    void distinctKeysAreAllKept() {
        int pairs = 10_000;
        byte[] message = new byte[pairs * 2];
        int[] ranges = new int[pairs * 4];
        for (int p = 0; p < pairs; p++) {
            message[2 * p] = (byte) (0x21 + p % 94);
            message[2 * p + 1] = (byte) (0x21 + p / 94);
            ranges[4 * p] = 2 * p;
            ranges[4 * p + 1] = 2;
        }
        MetadataKeys.dropReplaced(message, ranges, pairs);

        for (int p = 0; p < pairs; p++) {
            assertEquals(2, ranges[4 * p + 1], "pair " + p);
        }
    }
}
