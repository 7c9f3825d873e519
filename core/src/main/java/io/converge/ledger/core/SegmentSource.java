package io.converge.ledger.core;

import java.util.List;

/**
 * Where a {@link SegmentedStore}'s segments come from: mapped files in a data directory
 * ({@link SegmentFiles}) or direct memory ({@link OffHeapSegments}). Both hand out
 * segments already zeroed and touched, so the writer never faults a page in.
 *
 * <p>{@link #create} runs on the store's preallocation thread, {@link #existing} once at
 * start; neither is called concurrently with itself.
 */
interface SegmentSource extends AutoCloseable {
    /** The segments already there, in log order, from index 0; empty for a new store. */
    List<Segment> existing();

    /**
     * A new, zeroed segment with this index.
     *
     * @throws LedgerException RESOURCE_EXHAUSTED when the disk is full, the disk budget is
     *                         spent or memory runs out; UNAVAILABLE for another I/O failure
     */
    Segment create(int index);

    /** Releases files and locks; segments stay usable until collected. */
    @Override
    void close();
}
