package io.converge.ledger.core;

/**
 * Running totals of what the ledger holds, for metrics and tests. Each counter has one
 * writer (named below); any thread may read them, and sees a recent value.
 */
public final class LedgerStats {
    private volatile long appendsStored;
    private volatile long entriesStored;
    private volatile long bytesStored;
    private volatile int watchersOpen;

    /** Entries stored by Append since start (not counting Load). */
    public long appendsStored() {
        return appendsStored;
    }

    /** Entries stored since start, including those restored by Load. */
    public long entriesStored() {
        return entriesStored;
    }

    /** Bytes counted against the memory budget since start. */
    public long bytesStored() {
        return bytesStored;
    }

    /** Watch subscriptions currently registered. */
    public int watchersOpen() {
        return watchersOpen;
    }

    /** Sequencer thread only: one entry appended, of {@code bytes}. */
    void appended(long bytes) {
        appendsStored = appendsStored + 1;
        stored(1, bytes);
    }

    /** Sequencer thread only. */
    void stored(long entries, long bytes) {
        entriesStored = entriesStored + entries;
        bytesStored = bytesStored + bytes;
    }

    /** Completion thread only. */
    void watchers(int open) {
        watchersOpen = open;
    }
}
