package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Applies the committed messages of a clustered ledger's replicated log to this member's
 * store, in log order: the single writer of the store in cluster mode, as the
 * {@link Sequencer} is standalone. Every member applies the same messages to the same state,
 * so it must derive everything from them: an entry's sequence is its context's next; its id's
 * high 64 bits are {@link #idBits()} (from the log's first write), its low 64 bits the
 * message's start position in the log plus the entry's index (each entry takes more than one
 * byte of the log, so ids never repeat); its append time is the message's cluster timestamp
 * (at least its context's last).
 * Memory and disk are charged but never refuse an entry here: a member that cannot store a
 * committed entry stops (its ledger fails, health turns NOT_SERVING) rather than differ.
 *
 * <p>For the messages this member forwarded, it answers their callers (after the entries
 * are visible here, so a read on this member sees them) and then runs the ledger's
 * batch-end action. It also drives the watch fan-out, which in cluster mode is this
 * thread's. One thread, the clustered service's; {@link #expireOverdue} is any thread's.
 */
public final class LogApplier {
    private final ContextStore contexts;
    private final RecordStore records;
    private final EntryWriter writer;
    private final MemoryBudget budget;
    /** Set at the first write the log holds (or from a member snapshot): see {@link #idBits()}. */
    private EntryIds ids;
    private LoadRules loads;
    private final long idSalt;
    private final WatchFanOut fanOut;
    private final PendingReplies pending;
    private final Runnable batchEnd;
    private final LedgerStats stats;
    private final RingFaults faults;
    private final int memberId;
    private final long commitTimeoutMillis;
    private final LedgerCommand load = new LedgerCommand();
    private String failed;

    LogApplier(ContextStore contexts, MemoryBudget budget, ReplicatedLog log, WatchFanOut fanOut, PendingReplies pending,
               Runnable batchEnd, LedgerStats stats, RingFaults faults) {
        this.contexts = contexts;
        this.records = contexts.records();
        this.writer = new EntryWriter(records);
        this.budget = budget;
        this.idSalt = log.idBits();
        this.fanOut = fanOut;
        this.pending = pending;
        this.batchEnd = batchEnd;
        this.stats = stats;
        this.faults = faults;
        this.memberId = log.memberId();
        this.commitTimeoutMillis = log.commitTimeoutNanos() / 1_000_000;
    }

    /**
     * The high 64 bits of every id this cluster issues, or 0 before its first write: mixed
     * from the cluster time of the first write in the log and the member list, so every
     * member derives the same bits and two clusters differ. Service thread.
     */
    public long idBits() {
        return ids == null ? 0 : ids.instanceBits();
    }

    /** Service thread, restoring a member snapshot: the id bits it recorded (0 for none yet). */
    public void restoreIdBits(long bits) {
        if (bits != 0) {
            useIdBits(bits);
        }
    }

    private void useIdBits(long bits) {
        ids = new EntryIds(bits);
        loads = new LoadRules(contexts, writer, budget, ids, stats);
    }

    private void deriveIdBits(long timestampNs) {
        if (ids == null) {
            long h = (timestampNs ^ idSalt) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            useIdBits(h == 0 ? 1 : h);
        }
    }

    /** Every context in this member's store, for a member snapshot. Service thread. */
    public List<String> contextIds() {
        List<String> ids = new java.util.ArrayList<>(contexts.size());
        for (ContextWriter log : contexts.all()) {
            ids.add(log.contextId());
        }
        return ids;
    }

    /** A snapshot of one context of this member's store in the ledger's snapshot format. Service thread. */
    public SnapshotStream snapshotOf(String contextId, long createdAtNs) {
        return SnapshotStream.of(contextId, createdAtNs, ContextView.of(contexts.find(contextId)));
    }

    /**
     * Restores one context of a member snapshot into this member's (empty) store, ids, times and
     * sequences as they were. Service thread, before the log after the snapshot is applied.
     *
     * @throws IllegalStateException when the blob does not restore (the snapshot is damaged)
     */
    public void restore(String contextId, SnapshotBytes blob) {
        if (ids == null) {
            throw new IllegalStateException("a member snapshot with contexts but no id bits");
        }
        fanOut.admitArrivals();
        load.clear();
        load.type = LedgerCommand.Type.LOAD;
        load.contextId = contextId;
        load.trustedIds = true;
        load.snapshot = SnapshotCodec.decode(blob, Long.MAX_VALUE);
        loads.apply(load);
        records.written();
        LedgerException refused = load.rejection;
        load.clear();
        if (refused != null) {
            throw new IllegalStateException("context " + contextId + " of the member snapshot does not restore: "
                + refused.getMessage());
        }
        fanOut.onAppended(contextId);
        fanOut.endOfBatch();
    }

    /** Messages forwarded from this member whose callers still wait. Any thread. */
    public int waiting() {
        return pending.size();
    }

    /**
     * Applies one committed APPENDS or LOAD message.
     *
     * @param message     holds the message at {@code offset}, {@code length} bytes, little-endian
     * @param logPosition the log position just after the message
     * @param timestampNs the cluster time the leader gave the message, Unix epoch in nanoseconds
     */
    public void apply(ByteBuffer message, int offset, int length, long logPosition, long timestampNs) {
        fanOut.admitArrivals();
        int origin = LogMessages.origin(message, offset);
        PendingReplies.Pending callers = origin == memberId
            ? pending.take(LogMessages.correlation(message, offset)) : null;
        if (failed != null) {
            if (callers != null) {
                PendingReplies.refuse(callers, new LedgerException(LedgerException.Reason.UNAVAILABLE, failed));
                batchEnd.run();
            }
            return;
        }
        long firstId = logPosition - length;
        try {
            deriveIdBits(timestampNs);
            switch (LogMessages.type(message, offset)) {
                case LogMessages.APPENDS -> applyAppends(message, offset, firstId, timestampNs,
                    callers == null ? null : callers.replies());
                case LogMessages.LOAD -> applyLoad(message, offset, firstId, callers == null ? null
                    : (LoadCallback) callers.replies().get(0));
                default -> throw new IllegalArgumentException("unknown log message type "
                    + LogMessages.type(message, offset));
            }
        } catch (RuntimeException e) {
            failed = "this member could not apply the cluster's log at position " + logPosition + " ("
                + e.getMessage() + ") and stopped; replace it (docs/CLUSTER.md)";
            faults.stopOn("cluster-applier", e);
            if (callers != null) {
                PendingReplies.refuse(callers, new LedgerException(LedgerException.Reason.UNAVAILABLE, failed));
            }
        }
        fanOut.endOfBatch();
        if (callers != null) {
            batchEnd.run();
        }
    }

    /** Any thread: answers UNAVAILABLE to this member's callers whose messages passed the commit timeout. */
    public void expireOverdue(long nowNanos) {
        if (pending.expire(nowNanos, commitTimeoutMillis)) {
            batchEnd.run();
        }
    }

    /**
     * Any thread: answers UNAVAILABLE to this member's callers of every message up to
     * {@code correlation} that is not applied here yet: the log's leader changed after they
     * were sent, so they may be lost (or may still be applied; the answer says so).
     */
    public void abandonSentUpTo(long correlation, String why) {
        if (pending.abandonUpTo(correlation, why)) {
            batchEnd.run();
        }
    }

    /** Any thread, once nothing will be applied any more (closing): answers UNAVAILABLE to every caller still waiting. */
    public void abandonAll(String why) {
        abandonSentUpTo(Long.MAX_VALUE, why);
    }

    private void applyAppends(ByteBuffer m, int offset, long firstId, long timestampNs, List<Object> replies) {
        int at = offset + LogMessages.HEADER_BYTES;
        int commands = m.getInt(at);
        at += 4;
        long idLo = firstId;
        long entries = 0;
        for (int k = 0; k < commands; k++) {
            byte kind = m.get(at);
            int n = m.getInt(at + 1);
            at += 5;
            AppendedBatch batch = null;
            if (kind == LogMessages.A_BATCH && replies != null) {
                batch = (AppendedBatch) replies.get(k);
                batch.idHi = ids.instanceBits();
            }
            for (int i = 0; i < n; i++) {
                int contextBytes = m.getInt(at);
                String contextId = new String(bytes(m, at + 4, contextBytes), StandardCharsets.UTF_8);
                at += 4 + contextBytes;
                int keyBytes = m.getInt(at);
                String key = new String(bytes(m, at + 4, keyBytes), StandardCharsets.UTF_8);
                at += 4 + keyBytes;
                int metadataBytes = m.getInt(at);
                byte[] metadata = metadataBytes == 0 ? EntryRecord.EMPTY : bytes(m, at + 4, metadataBytes);
                at += 4 + metadataBytes;
                int payloadBytes = m.getInt(at);
                byte[] payload = bytes(m, at + 4, payloadBytes);
                at += 4 + payloadBytes;

                ContextWriter log = contexts.findForWriter(contextId);
                long cost = 0;
                if (log == null) {
                    log = contexts.getOrCreate(contextId);
                    cost = MemoryBudget.ofContext(contextId);
                }
                int size = EntryRecord.size(log.contextIdUtf8().length, keyBytes, metadata.length, payloadBytes);
                records.ensureRoom(size, size);
                long appendedAt = Math.max(timestampNs, log.lastAppendedAtNs());
                long sequence = writer.write(log, ids.instanceBits(), idLo, appendedAt, key, payload, metadata);
                log.publish();
                budget.charge(1, cost + budget.ofEntries(1, size));
                fanOut.onAppended(contextId);
                if (batch != null) {
                    batch.ack(i, sequence, idLo, appendedAt);
                } else if (replies != null) {
                    ((AppendCallback) replies.get(k)).onAppended(sequence, ids.instanceBits(), idLo, appendedAt);
                }
                idLo++;
                entries++;
            }
            if (batch != null) {
                batch.callback.onAppended(batch);
            }
        }
        records.written();
        stats.appended((int) entries);
    }

    private void applyLoad(ByteBuffer m, int offset, long firstId, LoadCallback caller) {
        int at = offset + LogMessages.HEADER_BYTES;
        int contextBytes = m.getInt(at);
        String contextId = new String(bytes(m, at + 4, contextBytes), StandardCharsets.UTF_8);
        at += 4 + contextBytes;
        boolean failIfExists = m.get(at) != 0;
        int blobBytes = m.getInt(at + 1);
        ByteBuffer blob = m.duplicate().order(m.order()).limit(at + 5 + blobBytes).position(at + 5);
        ids.continueAt(firstId);
        load.clear();
        load.type = LedgerCommand.Type.LOAD;
        load.contextId = contextId;
        load.failIfExists = failIfExists;
        load.snapshot = SnapshotCodec.decode(SnapshotBytes.of(blob), Long.MAX_VALUE);
        loads.apply(load);
        records.written();
        if (load.rejection == null && load.entriesRestored > 0) {
            fanOut.onAppended(contextId);
        }
        if (caller != null) {
            if (load.rejection != null) {
                caller.onRejected(load.rejection);
            } else {
                caller.onLoaded(load.entriesRestored, load.sequence);
            }
        }
        load.clear();
    }

    private static byte[] bytes(ByteBuffer m, int at, int length) {
        byte[] b = new byte[length];
        m.get(at, b);
        return b;
    }
}
