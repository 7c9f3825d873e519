package io.converge.ledger.core;

import java.util.concurrent.locks.LockSupport;

/**
 * {@code LEDGER_FSYNC=interval}: a thread of its own ({@code ledger-fsync}) that forces
 * what the sequencer has written every interval, off the write path: appends are
 * acknowledged once their records are in the mapped segment, and an OS crash loses at
 * most the last interval.
 */
final class IntervalFlusher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IntervalFlusher.class.getName());

    private final RecordStore records;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean closed;

    private final RingFaults faults;

    IntervalFlusher(RecordStore records, long intervalNanos, RingFaults faults) {
        this.records = records;
        this.faults = faults;
        this.intervalNanos = intervalNanos;
        this.thread = new Thread(this::run, "ledger-fsync");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, intervalNanos);
            try {
                records.force();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "forcing the ledger's records to disk failed", e);
            } catch (Error e) {
                faults.threadFault("ledger-fsync", e); // stops the ledger; this thread goes on forcing
            }
        }
    }

    /** Stops the thread; the store's own close forces what is left. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
