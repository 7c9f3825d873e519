package io.converge.ledger.transport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Protobuf's rule for a map field read off the wire, "a later key replaces an earlier
 * one", on keys that are still bytes: in time linear in the pairs' bytes, whatever the
 * keys. Keys go into an open-addressing table under a hash seeded per process; should
 * the probes nonetheless run long (keys chosen to collide), the entry falls back to a
 * {@link HashMap} of Strings, whose bins of colliding Strings are trees (logarithmic).
 * Stateless and thread-safe.
 */
final class MetadataKeys {
    /** Pairs up to this many are compared with each other directly. */
    private static final int SMALL = 8;
    private static final int SEED = ThreadLocalRandom.current().nextInt() | 1;

    private MetadataKeys() {
    }

    /**
     * Marks every pair whose key a later pair repeats as dropped (key length -1), in the
     * {@code pairs} pairs of {@code ranges} (key offset, key length, value offset, value
     * length per pair, into {@code message}).
     */
    static void dropReplaced(byte[] message, int[] ranges, int pairs) {
        if (pairs <= SMALL) {
            for (int i = 1; i < pairs; i++) {
                for (int j = 0; j < i; j++) {
                    if (ranges[4 * j + 1] >= 0 && sameKey(message, ranges, i, j)) {
                        ranges[4 * j + 1] = -1;
                    }
                }
            }
        } else if (!hashed(message, ranges, pairs)) {
            byStrings(message, ranges, pairs);
        }
    }

    /** The table path; false (having changed nothing) when the probes ran too long. */
    private static boolean hashed(byte[] message, int[] ranges, int pairs) {
        int mask = Integer.highestOneBit(pairs * 2 - 1) * 2 - 1; // at least twice as many slots as pairs
        int[] slots = new int[mask + 1]; // pair index + 1; 0 for empty
        int[] replaced = null;
        int replacedCount = 0;
        long probes = 0;
        long probeBudget = 8L * pairs + 64;
        for (int i = 0; i < pairs; i++) {
            int slot = hash(message, ranges[4 * i], ranges[4 * i + 1]) & mask;
            while (true) {
                int j = slots[slot] - 1;
                if (j < 0) {
                    slots[slot] = i + 1;
                    break;
                }
                if (sameKey(message, ranges, i, j)) {
                    if (replaced == null) {
                        replaced = new int[pairs];
                    }
                    replaced[replacedCount++] = j;
                    slots[slot] = i + 1;
                    break;
                }
                if (++probes > probeBudget) {
                    return false;
                }
                slot = (slot + 1) & mask;
            }
        }
        for (int r = 0; r < replacedCount; r++) {
            ranges[4 * replaced[r] + 1] = -1;
        }
        return true;
    }

    /** The fallback: a map of Strings, logarithmic per pair whatever the keys. */
    static void byStrings(byte[] message, int[] ranges, int pairs) {
        Map<String, Integer> latest = new HashMap<>(pairs * 2);
        for (int i = 0; i < pairs; i++) {
            Integer earlier = latest.put(new String(message, ranges[4 * i], ranges[4 * i + 1], StandardCharsets.UTF_8), i);
            if (earlier != null) {
                ranges[4 * earlier + 1] = -1;
            }
        }
    }

    private static boolean sameKey(byte[] message, int[] ranges, int i, int j) {
        int a = ranges[4 * i];
        int b = ranges[4 * j];
        return Arrays.equals(message, a, a + ranges[4 * i + 1], message, b, b + ranges[4 * j + 1]);
    }

    private static int hash(byte[] bytes, int offset, int length) {
        int h = SEED ^ length;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }
}
