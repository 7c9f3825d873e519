package io.converge.ledger.transport;

import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchBatch;
import io.converge.context.v1.WatchRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The client end of one WatchBatches stream: records every message it receives, so the
 * entries, the size of each message and how the stream ended. Reads automatically or on
 * request ({@link #manual}). Every wait is bounded. Thread-safe.
 */
final class WatchBatchRecorder extends StreamRecorder<WatchRequest, WatchBatch, WatchBatch> {
    private WatchBatchRecorder(int initialRequest) {
        super(Function.identity(), "messages", initialRequest);
    }

    static WatchBatchRecorder automatic() {
        return new WatchBatchRecorder(-1);
    }

    /** Asks for {@code initial} messages, then for no more until {@link #request}. */
    static WatchBatchRecorder manual(int initial) {
        return new WatchBatchRecorder(initial);
    }

    /** Waits until at least {@code n} entries arrived; fails when the stream ended or time ran out first. */
    List<Entry> awaitEntries(int n) throws InterruptedException {
        return entriesOf(awaitCounted(n, WatchBatchRecorder::entryCount, "entries"));
    }

    List<Entry> entries() {
        return entriesOf(items());
    }

    /** The serialized size of each WatchBatch received, in order. */
    List<Integer> messageSizes() {
        return items().stream().map(WatchBatch::getSerializedSize).toList();
    }

    /** The number of entries of each WatchBatch received, in order. */
    List<Integer> messageEntries() {
        return items().stream().map(WatchBatch::getEntriesCount).toList();
    }

    private static int entryCount(List<WatchBatch> batches) {
        int n = 0;
        for (WatchBatch b : batches) {
            n += b.getEntriesCount();
        }
        return n;
    }

    private static List<Entry> entriesOf(List<WatchBatch> batches) {
        List<Entry> entries = new ArrayList<>();
        batches.forEach(b -> entries.addAll(b.getEntriesList()));
        return entries;
    }
}
