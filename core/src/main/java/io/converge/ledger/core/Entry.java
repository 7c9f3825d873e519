package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One stored entry, materialised for a reader. Immutable.
 *
 * @param id           identifier unique across contexts and restarts
 * @param key          the entry's key, possibly empty
 * @param payload      the entry's payload: a read-only view of the stored record, off the
 *                     heap, valid for as long as the ledger runs (records never change)
 * @param sequence     position in the context, from 1
 * @param appendedAtNs append time, Unix epoch in nanoseconds
 * @param metadata     unmodifiable metadata as given at append time
 */
public record Entry(String id, String key, ByteBuffer payload, long sequence, long appendedAtNs,
                    Map<String, String> metadata) {

    /** A copy of the payload on the heap. */
    public byte[] payloadBytes() {
        ByteBuffer view = payload.duplicate();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return copy;
    }
}
