package io.converge.ledger.core;

import java.util.Map;

/**
 * The entries of one batch of appends, by 0-based index, as a transport holds them.
 * {@link Ledger#appendBatch} reads them on the calling thread only, before it returns;
 * it calls {@link #payload(int)} once per entry and attempt, after the whole batch passed
 * validation, and keeps the returned arrays (or copies of them, see {@link Ledger#append}) and
 * the metadata maps. The other accessors may be called more than once and must answer the
 * same each time.
 */
public interface BatchEntries {
    /** Number of entries. */
    int size();

    String contextId(int index);

    String key(int index);

    /** The payload's length in bytes, without materialising it. */
    int payloadLength(int index);

    /** The payload; the ledger keeps the array, so it must not change afterwards. */
    byte[] payload(int index);

    /** The metadata; the ledger keeps the map, so it must not change afterwards. */
    Map<String, String> metadata(int index);
}
