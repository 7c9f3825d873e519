package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;

/**
 * The journalling stage of {@code LEDGER_FSYNC=always}: between the {@link Sequencer} and
 * the {@link CompletionHandler}, it forces the store once at the end of each ring batch,
 * so every command of the batch is on stable storage before any of it is acknowledged
 * (group commit: one force for as many entries as the batch holds). Its own thread; the
 * other fsync policies run without it.
 */
final class Journal implements EventHandler<LedgerCommand> {
    private final RecordStore records;
    private final LedgerStats stats;
    private final StageSignal signal;

    Journal(RecordStore records, LedgerStats stats, StageSignal signal) {
        this.records = records;
        this.stats = stats;
        this.signal = signal;
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        signal.track(sequenceCallback);
    }

    @Override
    public void onEvent(LedgerCommand command, long ringSequence, boolean endOfBatch) {
        if (endOfBatch) {
            records.force();
            stats.forced();
            signal.batchDone(ringSequence);
        }
    }
}
