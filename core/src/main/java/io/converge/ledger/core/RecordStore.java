package io.converge.ledger.core;

import java.nio.ByteBuffer;

/**
 * Where entries' records live: the seam between the {@link Sequencer}, the one writer,
 * and the store's implementations ({@link SegmentedStore} over mapped files or off-heap
 * memory). A position names a record: the segment's index in the high 32 bits, the offset
 * in the low.
 *
 * <p><b>Threading.</b> {@link #ensureRoom}, {@link #claim} and {@link #written} are the
 * writer's. {@link #segment} may be called from any thread for a position of a record
 * that was indexed (published) after it was written. {@link #force} may be called from
 * any thread.
 */
interface RecordStore extends AutoCloseable {
    /**
     * Writer only: makes sure records of {@code bytes} in all, none larger than
     * {@code largestRecord}, can be claimed without failing, so that what follows is
     * written whole or not at all. Waits only when segments are not ready ahead.
     *
     * @throws LedgerException RESOURCE_EXHAUSTED (disk full, disk budget, memory) or
     *                         UNAVAILABLE (a failed write) with a message; nothing was written
     */
    void ensureRoom(long bytes, int largestRecord);

    /** Writer only: the position of the next record of {@code size} bytes, after {@link #ensureRoom}. */
    long claim(int size);

    /** Writer only: every record claimed so far is written (makes it eligible for {@link #force}). */
    void written();

    /** The segment that holds {@code position}. */
    Segment segment(long position);

    /** Forces every written record to stable storage (a no-op in memory); thread-safe. */
    void force();

    /** Bytes the log takes up to its end, as of the writer's last {@link #written()}; any thread. */
    long bytesWritten();

    /** What recovery found; empty for a new store. */
    Iterable<Segment> existingSegments();

    /** Writer only, before the first claim: where recovery found the log's end. */
    void resumeAt(long position);

    /** Forces what is written and releases the store's files; segments stay mapped until collected. */
    @Override
    void close();

    static int segmentIndex(long position) {
        return (int) (position >>> 32);
    }

    static int offset(long position) {
        return (int) position;
    }

    static long position(int segmentIndex, int offset) {
        return (long) segmentIndex << 32 | offset;
    }

    /** The shared records buffer and offset of {@code position}. */
    static ByteBuffer recordsOf(RecordStore store, long position) {
        return store.segment(position).records();
    }
}
