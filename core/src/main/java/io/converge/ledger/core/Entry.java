package io.converge.ledger.core;

import java.util.Map;

/**
 * One stored entry, materialised for a reader. Immutable by convention: the payload
 * array and metadata map are the ledger's own and must not be modified.
 *
 * @param id           identifier unique across contexts and restarts
 * @param key          the entry's key, possibly empty
 * @param payload      the entry's payload, shared with the store (do not modify)
 * @param sequence     position in the context, from 1
 * @param appendedAtNs append time, Unix epoch in nanoseconds
 * @param metadata     unmodifiable metadata as given at append time
 */
public record Entry(String id, String key, byte[] payload, long sequence, long appendedAtNs,
                    Map<String, String> metadata) {
}
