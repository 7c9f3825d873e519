package io.converge.ledger.core;

/**
 * A consistent read of one context: the entries up to the latest sequence at the moment
 * the view was taken. Cheap to take, safe to use from any thread, never blocks writers.
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
        if (afterSequence < 0 || afterSequence >= latestSequence) {
            return 0; // also keeps afterSequence + 1 from wrapping at Long.MAX_VALUE
        }
        for (long s = afterSequence + 1; s <= latestSequence; s++) {
            if (key.isEmpty() || key.equals(log.keyAt(s))) {
                return s;
            }
        }
        return 0;
    }

    /** The entry at {@code sequence}, {@code 1 <= sequence <= latestSequence()}. */
    public Entry entry(long sequence) {
        if (sequence < 1 || sequence > latestSequence) {
            throw new IndexOutOfBoundsException("sequence " + sequence + " is outside 1.." + latestSequence);
        }
        return log.entry(sequence);
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
                return log.idHiAt(i + 1L);
            }

            @Override
            public long idLo(int i) {
                return log.idLoAt(i + 1L);
            }

            @Override
            public long appendedAtNs(int i) {
                return log.appendedAtNsAt(i + 1L);
            }

            @Override
            public String key(int i) {
                return log.keyAt(i + 1L);
            }

            @Override
            public byte[] payload(int i) {
                return log.payloadAt(i + 1L);
            }

            @Override
            public java.util.Map<String, String> metadata(int i) {
                return log.metadataAt(i + 1L);
            }
        };
    }
}
