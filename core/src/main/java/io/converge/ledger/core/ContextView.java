package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A consistent read of one context: the entries up to the latest sequence at the moment
 * the view was taken, read from their records in the store. Cheap to take, safe to use
 * from any thread, never blocks writers.
 */
public final class ContextView {
    private static final ContextView EMPTY = new ContextView(null, 0);

    private final ContextLog log;
    private final long latestSequence;

    private ContextView(ContextLog log, long latestSequence) {
        this.log = log;
        this.latestSequence = latestSequence;
    }

    static ContextView of(ContextLog log) {
        return log == null ? EMPTY : new ContextView(log, log.latestSequence());
    }

    /** The context's latest sequence when the view was taken; 0 for an empty or unknown context. */
    public long latestSequence() {
        return latestSequence;
    }

    /**
     * The first sequence after {@code afterSequence} whose entry has {@code key} (any key
     * when empty), or 0 when the view holds none.
     */
    public long nextMatching(String key, long afterSequence) {
        return nextMatching(key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8), afterSequence);
    }

    /** As {@link #nextMatching(String, long)}, with the key as UTF-8 bytes, null for any key. */
    long nextMatching(byte[] keyUtf8, long afterSequence) {
        if (afterSequence < 0 || afterSequence >= latestSequence) {
            return 0; // also keeps afterSequence + 1 from wrapping at Long.MAX_VALUE
        }
        for (long s = afterSequence + 1; s <= latestSequence; s++) {
            if (keyUtf8 == null || log.keyEquals(s, keyUtf8)) {
                return s;
            }
        }
        return 0;
    }

    /** The entry at {@code sequence}, {@code 1 <= sequence <= latestSequence()}; its payload is a view of the store. */
    public Entry entry(long sequence) {
        if (sequence < 1 || sequence > latestSequence) {
            throw new IndexOutOfBoundsException("sequence " + sequence + " is outside 1.." + latestSequence);
        }
        return log.entry(sequence);
    }

    /** The context's log, null for an empty or unknown context: read it only up to {@link #latestSequence()}. */
    ContextLog log() {
        return log;
    }

    /** The view's entries as the snapshot codec reads them. */
    SnapshotEntries entries() {
        return new SnapshotEntries() {
            @Override
            public long firstSequence() {
                return 1;
            }

            @Override
            public int size() {
                return Math.toIntExact(latestSequence);
            }

            @Override
            public long idHi(int i) {
                return EntryRecord.idHi(log.recordBuffer(i + 1L), log.offsetAt(i + 1L));
            }

            @Override
            public long idLo(int i) {
                return EntryRecord.idLo(log.recordBuffer(i + 1L), log.offsetAt(i + 1L));
            }

            @Override
            public long appendedAtNs(int i) {
                return EntryRecord.appendedAtNs(log.recordBuffer(i + 1L), log.offsetAt(i + 1L));
            }

            @Override
            public String key(int i) {
                return log.keyAt(i + 1L);
            }

            @Override
            public byte[] payload(int i) {
                ByteBuffer view = EntryRecord.payload(log.recordBuffer(i + 1L), log.offsetAt(i + 1L));
                byte[] copy = new byte[view.remaining()];
                view.get(copy);
                return copy;
            }

            @Override
            public Map<String, String> metadata(int i) {
                return EntryRecord.metadata(log.recordBuffer(i + 1L), log.offsetAt(i + 1L));
            }
        };
    }
}
