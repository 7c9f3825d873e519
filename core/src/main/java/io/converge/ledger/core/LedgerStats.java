package io.converge.ledger.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final AtomicInteger watchersOpen = new AtomicInteger();
    private volatile long storeRefusals;
    private volatile long forces;

    /** Entries stored by Append since start (not counting Load). */
    public long appendsStored() {
        return appendsStored;
    }

    /** Entries stored since start, including those restored by Load. */
    public long entriesStored() {
        return entriesStored;
    }

    /** Bytes counted against the memory budget since start (see {@code MemoryBudget}). */
    public long bytesStored() {
        return bytesStored;
    }

    /** Watch subscriptions currently registered. */
    public int watchersOpen() {
        return watchersOpen.get();
    }

    /** Sequencer thread only: {@code entries} appended (one Append, or a batch); {@link #stored} counts them too. */
    void appended(int entries) {
        APPENDS.setRelease(this, appendsStored + entries);
    }

    /** Appends, batches and Loads the store refused (disk full, disk budget, a failed write) since start. */
    public long storeRefusals() {
        return storeRefusals;
    }

    /** Forces of the store by the journalling stage ({@code LEDGER_FSYNC=always}) since start. */
    public long forces() {
        return forces;
    }

    /** Sequencer thread only. */
    void storeRefused() {
        storeRefusals++;
    }

    /** Journal thread only. */
    void forced() {
        forces++;
    }

    /** Sequencer thread only. */
    void stored(long entries, long bytes) {
        ENTRIES.setRelease(this, entriesStored + entries);
        BYTES.setRelease(this, bytesStored + bytes);
    }

    /** The watch fan-out, from any thread: a watch was subscribed (+1) or cancelled (-1). */
    void watchers(int change) {
        watchersOpen.addAndGet(change);
    }

    /** The watch fan-out, when it closes every watch. */
    void noWatchers() {
        watchersOpen.set(0);
    }
}
