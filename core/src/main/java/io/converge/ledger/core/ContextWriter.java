package io.converge.ledger.core;

/**
 * The writer's side of one context's {@link ContextLog}: the sequencer (or recovery, before
 * it starts) indexes each new entry's record and then publishes. Readers hold the same
 * object only as a {@code ContextLog}, which has no way to write.
 *
 * <p>Confined to the writer's thread; what it publishes is read through {@link ContextLog}.
 */
final class ContextWriter extends ContextLog {
    private long written;
    private long lastAppendedAtNs;

    ContextWriter(String contextId, RecordStore records) {
        super(contextId, records);
    }

    /** The sequence the next {@link #append} gets. */
    long nextSequence() {
        return written + 1;
    }

    /** The appended-at of the last appended entry, 0 when empty. */
    long lastAppendedAtNs() {
        return lastAppendedAtNs;
    }

    /**
     * Indexes the next entry, whose record is written at {@code position}; invisible to
     * readers until {@link #publish}.
     *
     * @return the entry's sequence
     */
    long append(long position, long appendedAtNs) {
        index(written, position);
        written++;
        lastAppendedAtNs = appendedAtNs;
        return written;
    }

    /** Makes every appended entry visible to readers (a release store). */
    void publish() {
        publishUpTo(written);
    }
}
