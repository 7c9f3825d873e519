package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.WaitStrategy;

import java.util.function.LongSupplier;

/**
 * The single writer of the ledger: consumes the ring on one thread, assigns per-context
 * sequence numbers, ids and append times, enforces the memory budget and appends to the
 * {@link ContextStore}. Every entry it writes is published (made visible to readers)
 * before the command moves on to the {@link CompletionHandler}.
 *
 * <p>Appending allocates nothing but, once per chunk of entries, the chunk itself.
 * Not thread-safe by design: {@link #onEvent} asserts that it runs on one thread.
 */
final class Sequencer implements EventHandler<LedgerCommand> {
    private final ContextStore store;
    private final EntryIds ids;
    private final LongSupplier epochNanos;
    private final long memoryBudgetBytes;
    private final LedgerStats stats;

    /** Signalled after each batch when downstream handlers park waiting for this one; else null. */
    private final WaitStrategy downstream;

    private long storedBytes;
    private Thread owner;
    /** This handler's progress in the ring, which it makes visible early for {@link #downstream}. */
    private Sequence progress;
    /** The clock, read at the start of the current ring batch. */
    private long batchEpochNanos;
    /** The context of the last append, kept for the common run of appends to one context. */
    private String lastContextId;
    private ContextLog lastLog;

    Sequencer(ContextStore store, EntryIds ids, LongSupplier epochNanos, long memoryBudgetBytes, LedgerStats stats,
              WaitStrategy downstream) {
        this.downstream = downstream;
        this.store = store;
        this.ids = ids;
        this.epochNanos = epochNanos;
        this.memoryBudgetBytes = memoryBudgetBytes;
        this.stats = stats;
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.progress = sequenceCallback;
    }

    /** Reads the clock once per ring batch: the appends of one batch share their time (each at least its context's last). */
    @Override
    public void onBatchStart(long batchSize, long queueDepth) {
        batchEpochNanos = epochNanos.getAsLong();
    }

    @Override
    public void onStart() {
        owner = Thread.currentThread();
    }

    @Override
    public void onEvent(LedgerCommand command, long ringSequence, boolean endOfBatch) {
        assert owner == null || owner == Thread.currentThread() : "the sequencer has one thread";
        switch (command.type) {
            case APPEND -> append(command);
            case BATCH_APPEND -> appendBatched(command);
            case LOAD -> load(command);
            default -> {
                // WATCH, UNWATCH and CLOSE are the completion handler's.
            }
        }
        boolean batchSlot = command.type == LedgerCommand.Type.BATCH_APPEND;
        if (!batchSlot || command.batchIndex == command.batch.lastSlot()) {
            command.sequencedAtNanos = System.nanoTime(); // a batch's latency is taken once, at its last slot
        }
        if (endOfBatch && downstream != null) {
            progress.setVolatile(ringSequence); // before the signal, or the woken handler could miss it
            downstream.signalAllWhenBlocking();
        }
    }

    private void append(LedgerCommand c) {
        ContextLog log = find(c.contextId);
        long cost = log == null ? c.cost + EntryCost.ofContext(c.contextId) : c.cost;
        if (storedBytes + cost > memoryBudgetBytes) {
            c.rejection = budgetSpent(cost);
            return;
        }
        long idLo = write(c, log != null ? log : create(c.contextId));
        c.idHi = ids.instanceBits();
        c.idLo = idLo;
        storedBytes += c.cost;
        stats.appended(1, c.cost);
    }

    /**
     * One entry of a batch. The batch's slots come in one run, so its entries to one
     * context get consecutive sequences; the whole batch is admitted or refused at its
     * first slot.
     */
    private void appendBatched(LedgerCommand c) {
        AppendedBatch b = c.batch;
        if (c.batchIndex == 0) {
            admit(b);
        }
        if (b.rejection != null || c.batchIndex >= b.size) {
            return;
        }
        ContextLog log = find(c.contextId);
        long idLo = write(c, log != null ? log : create(c.contextId));
        b.ack(c.batchIndex, c.sequence, idLo, c.appendedAtNs);
    }

    /** At a batch's first slot: refuses it whole, or counts all of it against the budget. */
    private void admit(AppendedBatch b) {
        BatchStream stream = b.stream;
        if (stream != null && stream.refusal != null) {
            b.rejection = new LedgerException(stream.refusal.reason(),
                "an earlier batch on this stream was refused: " + stream.refusal.getMessage());
        } else if (storedBytes + b.cost > memoryBudgetBytes) {
            b.rejection = budgetSpent(b.cost);
            if (stream != null) {
                stream.refusal = b.rejection;
            }
        } else {
            b.idHi = ids.instanceBits();
            storedBytes += b.cost;
            stats.appended(b.size, b.cost);
        }
    }

    /** The context's log, or null when it does not exist yet; a run of commands to one context skips the map. */
    private ContextLog find(String contextId) {
        if (contextId == lastContextId || contextId.equals(lastContextId)) {
            return lastLog;
        }
        ContextLog log = store.find(contextId);
        if (log != null) {
            lastContextId = contextId;
            lastLog = log;
        }
        return log;
    }

    /**
     * Creates a context and counts its own cost ({@link EntryCost#ofContext}) against the
     * budget. An Append checked that cost with its entry's; a batch was admitted on its
     * entries' costs, so its new contexts may take the budget over by their own cost.
     */
    private ContextLog create(String contextId) {
        ContextLog log = store.getOrCreate(contextId);
        long cost = EntryCost.ofContext(contextId);
        storedBytes += cost;
        stats.stored(0, cost);
        lastContextId = contextId;
        lastLog = log;
        return log;
    }

    /**
     * Writes and publishes the entry of an APPEND or BATCH_APPEND command into {@code log};
     * sets the command's sequence and appended-at.
     *
     * @return the low bits of the entry's id
     */
    private long write(LedgerCommand c, ContextLog log) {
        long appendedAt = Math.max(batchEpochNanos, log.lastAppendedAtNs());
        long idLo = ids.next();
        c.sequence = log.write(ids.instanceBits(), idLo, appendedAt, c.key, c.payload, c.metadata);
        log.publish();
        c.appendedAtNs = appendedAt;
        return idLo;
    }

    private void load(LedgerCommand c) {
        DecodedSnapshot s = c.snapshot;
        ContextLog existing = store.find(c.contextId);
        long latest = existing == null ? 0 : existing.latestSequence();
        if (c.failIfExists && latest > 0) {
            c.rejection = new LedgerException(LedgerException.Reason.ALREADY_EXISTS, "context " + c.contextId
                + " already has " + latest + " entries and fail_if_exists is set");
            return;
        }
        int n = s.size();
        int skip = (int) Math.max(0, Math.min(n, latest + 1 - s.firstSequence()));
        if (skip == n) {
            c.entriesRestored = 0;
            c.sequence = latest;
            return;
        }
        long continueAt = s.firstSequence() + skip;
        if (continueAt != latest + 1) {
            c.rejection = new LedgerException(LedgerException.Reason.FAILED_PRECONDITION, "snapshot entries start at"
                + " sequence " + continueAt + " but context " + c.contextId + " continues at " + (latest + 1)
                + ": loading them would leave a gap");
            return;
        }
        long cost = existing == null ? EntryCost.ofContext(c.contextId) : 0;
        for (int i = skip; i < n; i++) {
            cost += s.cost(i);
        }
        if (storedBytes + cost > memoryBudgetBytes) {
            c.rejection = budgetSpent(cost);
            return;
        }
        ContextLog log = existing != null ? existing : store.getOrCreate(c.contextId); // its cost is in cost
        boolean keepIds = s.contextId().equals(c.contextId);
        for (int i = skip; i < n; i++) {
            long idHi = keepIds ? s.idHi(i) : ids.instanceBits();
            long idLo = keepIds ? s.idLo(i) : ids.next();
            long appendedAt = Math.max(s.appendedAtNs(i), log.lastAppendedAtNs());
            log.write(idHi, idLo, appendedAt, s.key(i), s.payload(i), s.metadata(i));
        }
        log.publish();
        storedBytes += cost;
        stats.stored(n - skip, cost);
        c.entriesRestored = n - skip;
        c.sequence = log.latestSequence();
    }

    private LedgerException budgetSpent(long cost) {
        return LedgerException.exhausted("the server's memory budget for entries is spent: "
            + storedBytes + " of " + memoryBudgetBytes + " bytes are stored and this request needs " + cost
            + " more");
    }
}
