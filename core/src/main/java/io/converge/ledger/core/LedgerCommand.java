package io.converge.ledger.core;

import java.util.Map;

/**
 * One slot of the ring: a command, its arguments and its outcome. Created once per slot
 * by the ring and reused; fields are written by the publishing thread before publish, by
 * the sequencer for the outcome, and cleared by the completion handler.
 */
final class LedgerCommand {
    enum Type { APPEND, BATCH_APPEND, LOAD, CLOSE }

    Type type;
    String contextId;
    /** System.nanoTime() when published into the ring (written by the publisher). */
    long publishedAtNanos;
    /** System.nanoTime() when the sequencer finished with the command (written by the sequencer). */
    long sequencedAtNanos;

    // APPEND arguments
    String key;
    byte[] payload;
    Map<String, String> metadata;
    /** The entry's record size in the store, computed by the publisher from checked lengths. */
    int recordBytes;
    AppendCallback appendCallback;

    // BATCH_APPEND arguments (and key, payload, metadata as for APPEND): the batch this
    // slot is entry batchIndex of. An empty batch takes one slot with batchIndex 0.
    AppendedBatch batch;
    int batchIndex;

    // LOAD arguments
    DecodedSnapshot snapshot;
    boolean failIfExists;
    /** A cluster member restoring its own snapshot: kept ids carry this ledger's own bits by right. */
    boolean trustedIds;
    LoadCallback loadCallback;

    /**
     * Cluster mode: the {@link LogForwarder} put the command in a log message, whose applier
     * answers its caller; the completion handler then only clears the slot.
     */
    boolean forwarded;

    // Outcome, written by the sequencer.
    LedgerException rejection;
    long sequence;
    long idHi;
    long idLo;
    long appendedAtNs;
    long entriesRestored;

    void clear() {
        type = null;
        contextId = null;
        key = null;
        payload = null;
        metadata = null;
        appendCallback = null;
        batch = null;
        snapshot = null;
        loadCallback = null;
        rejection = null;
        forwarded = false;
        trustedIds = false;
    }
}
