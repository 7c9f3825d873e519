package io.converge.ledger.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Running totals of what the ledger holds, for metrics and tests. Each counter has one
 * writer (named below); any thread may read them, and sees a recent value. The writer
 * publishes with release stores, which cost the hot path no fence.
 */
public final class LedgerStats {
    private static final VarHandle APPENDS;
    private static final VarHandle ENTRIES;
    private static final VarHandle BYTES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            APPENDS = lookup.findVarHandle(LedgerStats.class, "appendsStored", long.class);
            ENTRIES = lookup.findVarHandle(LedgerStats.class, "entriesStored", long.class);
            BYTES = lookup.findVarHandle(LedgerStats.class, "bytesStored", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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

    /** Sequencer thread only: {@code entries} appended (one Append, or a batch), of {@code bytes} in all. */
    void appended(int entries, long bytes) {
        APPENDS.setRelease(this, appendsStored + entries);
        stored(entries, bytes);
    }

    /** Sequencer thread only. */
    void stored(long entries, long bytes) {
        ENTRIES.setRelease(this, entriesStored + entries);
        BYTES.setRelease(this, bytesStored + bytes);
    }

    /** Completion thread only. */
    void watchers(int open) {
        watchersOpen = open;
    }
}
