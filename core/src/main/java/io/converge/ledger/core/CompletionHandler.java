package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;

/**
 * The downstream handler: runs after the {@link Sequencer} on every command, on its own
 * thread. It answers callers (their callbacks run here, so they must not block), keeps
 * the {@link WatchFanOut} registry and wakes watchers, records each command's latency in
 * {@link LedgerLatency} (without allocating), and clears the ring slot.
 */
final class CompletionHandler implements EventHandler<LedgerCommand> {
    private static final System.Logger LOG = System.getLogger(CompletionHandler.class.getName());

    private final WatchFanOut fanOut;
    private final LedgerLatency latency;
    private final Runnable batchEnd;
    /** False in cluster mode, where the {@link LogApplier}'s thread drives the fan-out; this handler then only closes it. */
    private final boolean drivesFanOut;

    CompletionHandler(WatchFanOut fanOut, LedgerLatency latency, Runnable batchEnd, boolean drivesFanOut) {
        this.fanOut = fanOut;
        this.latency = latency;
        this.batchEnd = batchEnd;
        this.drivesFanOut = drivesFanOut;
    }

    @Override
    public void onEvent(LedgerCommand c, long ringSequence, boolean endOfBatch) {
        if (drivesFanOut) {
            fanOut.admitArrivals();
        }
        try {
            if (!c.forwarded) { // a forwarded command's caller is the log applier's to answer (cluster mode)
                switch (c.type) {
                    case APPEND -> completeAppend(c);
                    case BATCH_APPEND -> completeBatchSlot(c);
                    case LOAD -> completeLoad(c);
                    case CLOSE -> fanOut.closeAll();
                }
            }
            long commands = drivesFanOut ? latencyCount(c) : 0; // the ring's latency means nothing in cluster mode
            if (commands > 0) {
                latency.beginBatch();
                latency.record(c.publishedAtNanos, c.sequencedAtNanos, System.nanoTime(), commands);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "completing a " + c.type + " command failed", e);
        } finally {
            c.clear();
        }
        if (endOfBatch) {
            latency.endBatch();
            if (drivesFanOut) {
                fanOut.endOfBatch();
            }
            try {
                batchEnd.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "the batch-end action failed", e);
            }
        }
    }

    /** How many commands' latency this slot records: a batch's entries all at its last slot. */
    private static long latencyCount(LedgerCommand c) {
        if (c.type == LedgerCommand.Type.CLOSE) {
            return 0;
        }
        if (c.type != LedgerCommand.Type.BATCH_APPEND) {
            return 1;
        }
        return c.batchIndex == c.batch.lastSlot() ? Math.max(1, c.batch.size) : 0;
    }

    private void completeAppend(LedgerCommand c) {
        if (c.rejection != null) {
            c.appendCallback.onRejected(c.rejection);
            return;
        }
        fanOut.onAppended(c.contextId);
        c.appendCallback.onAppended(c.sequence, c.idHi, c.idLo, c.appendedAtNs);
    }

    /** Wakes the entry's watchers; at the batch's last slot, answers the whole batch. */
    private void completeBatchSlot(LedgerCommand c) {
        AppendedBatch b = c.batch;
        if (b.rejection == null && c.batchIndex < b.size && drivesFanOut) {
            fanOut.onAppended(c.contextId);
        }
        if (c.batchIndex == b.lastSlot()) {
            if (b.rejection != null) {
                b.callback.onRejected(b.rejection);
            } else {
                b.callback.onAppended(b);
            }
        }
    }

    private void completeLoad(LedgerCommand c) {
        if (c.rejection != null) {
            c.loadCallback.onRejected(c.rejection);
            return;
        }
        if (c.entriesRestored > 0) {
            fanOut.onAppended(c.contextId);
        }
        c.loadCallback.onLoaded(c.entriesRestored, c.sequence);
    }
}
