package io.converge.ledger.core;

import java.util.Map;

/** Context logs over a store in memory, written as the sequencer writes them, for tests of readers. */
final class TestLogs {
    private TestLogs() {
    }

    /** A store in direct memory whose segments are made on the writing thread (no preallocation thread). */
    static ContextStore newStore() {
        return new ContextStore(StorageConfig.memory().withSegmentBytes(StorageConfig.MIN_SEGMENT_BYTES).open());
    }

    /** A log of its own store. */
    static ContextWriter newLog(String contextId) {
        return newStore().getOrCreate(contextId);
    }

    /**
     * Writes the next entry of {@code log} (unpublished), as the sequencer does.
     *
     * @return its sequence
     */
    static long write(ContextWriter log, long idHi, long idLo, long appendedAtNs, String key, byte[] payload,
                      Map<String, String> metadata) {
        int size = EntryWriter.recordBytes(log.contextIdUtf8().length, InputRules.utf8Length(key),
            InputRules.checkMetadata(metadata), metadata.size(), payload.length);
        log.records().ensureRoom(size, size);
        return new EntryWriter(log.records()).write(log, idHi, idLo, appendedAtNs, key, payload, metadata);
    }
}
