package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;

import java.util.function.LongSupplier;

/**
 * The single writer of the ledger: consumes the ring on one thread and, for each append,
 * assigns the context's next sequence, a fresh id and the append time, and writes the
 * entry through the {@link EntryWriter}; Loads go to {@link LoadRules}. Every entry it
 * writes is in the store and published (visible to readers) before its command moves on
 * to the next handler. The {@link MemoryBudget} and the store's room are checked before
 * anything of a command is written: a command is stored whole or refused.
 *
 * <p>Not thread-safe by design: {@link #onEvent} asserts that it runs on one thread.
 */
final class Sequencer implements EventHandler<LedgerCommand> {
    private final ContextStore contexts;
    private final RecordStore records;
    private final EntryWriter writer;
    private final MemoryBudget budget;
    private final EntryIds ids;
    private final LongSupplier epochNanos;
    private final LoadRules loads;
    private final LedgerStats stats;
    private final StageSignal signal;

    private Thread owner;
    /**
     * A fault reading the clock at a batch's start: were it thrown from there, the ring
     * would report it against no command (or a stale one) and skip the batch's first.
     */
    private Throwable clockFault;
    /** The clock, read at the start of the current ring batch. */
    private long batchEpochNanos;

    Sequencer(ContextStore contexts, MemoryBudget budget, EntryIds ids, LongSupplier epochNanos, LedgerStats stats,
              StageSignal signal) {
        this.contexts = contexts;
        this.records = contexts.records();
        this.writer = new EntryWriter(records);
        this.budget = budget;
        this.ids = ids;
        this.epochNanos = epochNanos;
        this.stats = stats;
        this.signal = signal;
        this.loads = new LoadRules(contexts, writer, budget, ids, stats);
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        signal.track(sequenceCallback);
    }

    /** Reads the clock once per ring batch: the appends of one batch share their time (each at least its context's last). */
    @Override
    public void onBatchStart(long batchSize, long queueDepth) {
        try {
            batchEpochNanos = epochNanos.getAsLong();
        } catch (RuntimeException | Error e) {
            clockFault = e; // thrown for the batch's first command, which it then refuses (see RingFaults)
        }
    }

    @Override
    public void onStart() {
        owner = Thread.currentThread();
    }

    @Override
    public void onEvent(LedgerCommand command, long ringSequence, boolean endOfBatch) {
        assert owner == null || owner == Thread.currentThread() : "the sequencer has one thread";
        if (clockFault != null) {
            Throwable fault = clockFault;
            clockFault = null;
            if (fault instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) fault;
        }
        switch (command.type) {
            case APPEND -> append(command);
            case BATCH_APPEND -> appendBatched(command);
            case LOAD -> loads.apply(command);
            default -> {
                // CLOSE is the completion handler's.
            }
        }
        boolean batchSlot = command.type == LedgerCommand.Type.BATCH_APPEND;
        if (!batchSlot || command.batchIndex == command.batch.lastSlot()) {
            command.sequencedAtNanos = System.nanoTime(); // a batch's latency is taken once, at its last slot
        }
        if (endOfBatch) {
            records.written();
            signal.batchDone(ringSequence);
        }
    }

    private void append(LedgerCommand c) {
        ContextWriter log = contexts.findForWriter(c.contextId);
        long cost = budget.ofEntries(1, c.recordBytes) + (log == null ? MemoryBudget.ofContext(c.contextId) : 0);
        if (!budget.admits(cost)) {
            c.rejection = budget.spent(cost);
            return;
        }
        LedgerException noRoom = refusalForRoom(c.recordBytes, c.recordBytes);
        if (noRoom != null) {
            c.rejection = noRoom;
            return;
        }
        if (log == null) {
            log = contexts.getOrCreate(c.contextId);
        }
        c.idHi = ids.instanceBits();
        c.idLo = write(c, log);
        budget.charge(1, cost);
        stats.appended(1);
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
        ContextWriter log = contexts.findForWriter(c.contextId);
        if (log == null) {
            log = contexts.getOrCreate(c.contextId);
            budget.charge(0, MemoryBudget.ofContext(c.contextId));
        }
        long idLo = write(c, log);
        b.ack(c.batchIndex, c.sequence, idLo, c.appendedAtNs);
    }

    /**
     * At a batch's first slot: refuses it whole, or counts all of it against the budget and
     * makes room for all of it in the store. A batch is admitted on its entries' costs, so its
     * new contexts may take the budget over by their own cost.
     */
    private void admit(AppendedBatch b) {
        BatchStream stream = b.stream;
        long cost = budget.ofEntries(b.size, b.recordBytes);
        if (stream != null && stream.refusal != null) {
            b.rejection = new LedgerException(stream.refusal.reason(),
                "an earlier batch on this stream was refused: " + stream.refusal.getMessage());
            return;
        }
        b.rejection = budget.admits(cost) ? refusalForRoom(b.recordBytes, b.largestRecord) : budget.spent(cost);
        if (b.rejection == null) {
            b.idHi = ids.instanceBits();
            budget.charge(b.size, cost);
            stats.appended(b.size);
        } else if (stream != null) {
            stream.refusal = b.rejection;
        }
    }

    /** Null when the store has room for these records; else why not (counted as a store refusal). */
    private LedgerException refusalForRoom(long bytes, int largestRecord) {
        try {
            records.ensureRoom(bytes, largestRecord);
            return null;
        } catch (LedgerException e) {
            stats.storeRefused();
            return e;
        }
    }

    /**
     * Writes and publishes the entry of an APPEND or BATCH_APPEND command into {@code log};
     * sets the command's sequence and appended-at.
     *
     * @return the low bits of the entry's id
     */
    private long write(LedgerCommand c, ContextWriter log) {
        long appendedAt = Math.max(batchEpochNanos, log.lastAppendedAtNs());
        long idLo = ids.next();
        c.sequence = writer.write(log, ids.instanceBits(), idLo, appendedAt, c.key, c.payload, c.metadata);
        log.publish();
        c.appendedAtNs = appendedAt;
        return idLo;
    }
}
