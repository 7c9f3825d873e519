package io.converge.ledger.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One context's index: where each of its entries' records lies in the {@link RecordStore}.
 * The entries themselves are off the Java heap; what this keeps per entry is one
 * {@code long} (the record's position) in chunked arrays, and no object.
 *
 * <p><b>Threading.</b> This class is the readers' side: any number of them call its
 * methods concurrently, without locks. Its one writer, the sequencer (or recovery before
 * it starts), holds the same object as a {@link ContextWriter}, which appends and
 * publishes. A reader first reads {@link #latestSequence()} (an acquire
 * load); every entry up to that sequence is then fully written and indexed and never
 * changes, because the writer writes the record and its index slot before it releases
 * the new latest sequence.
 *
 * <p><b>Layout.</b> Entry {@code sequence} lives at index {@code sequence - 1}. Chunks
 * double in size from {@value #FIRST_CHUNK} entry up to {@value #MAX_CHUNK}, then stay at
 * that size, so a one-entry context holds no unused slot and a large one never copies
 * what it already holds.
 */
public sealed class ContextLog permits ContextWriter {
    static final int FIRST_CHUNK = 1;
    static final int GROWING_CHUNKS = 15;
    static final int MAX_CHUNK = FIRST_CHUNK << (GROWING_CHUNKS - 1);
    /** Entries held by the growing chunks together. */
    private static final long GROWING_CAPACITY = (long) FIRST_CHUNK * ((1L << GROWING_CHUNKS) - 1);
    private static final int MAX_CHUNK_SHIFT = Integer.numberOfTrailingZeros(MAX_CHUNK);

    private static final VarHandle LATEST;

    static {
        try {
            LATEST = MethodHandles.lookup().findVarHandle(ContextLog.class, "latest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String contextId;
    private final byte[] contextIdUtf8;
    private final RecordStore records;
    /** Replaced (copied, grown) only by the writer, before it publishes what it covers. */
    private volatile long[][] chunks = new long[1][];
    @SuppressWarnings("unused") // accessed through LATEST
    private long latest;

    /** Only a {@link ContextWriter} is made; readers see it as this. */
    ContextLog(String contextId, RecordStore records) {
        this.contextId = contextId;
        this.contextIdUtf8 = contextId.getBytes(StandardCharsets.UTF_8);
        this.records = records;
    }

    public String contextId() {
        return contextId;
    }

    /** The store its records are in. */
    RecordStore records() {
        return records;
    }

    /** The context id's UTF-8 bytes, as each of its records holds them; do not modify. */
    byte[] contextIdUtf8() {
        return contextIdUtf8;
    }

    /** The latest published sequence, 0 when empty. Acquire semantics: see class doc. */
    public long latestSequence() {
        return (long) LATEST.getAcquire(this);
    }

    /** The position of a published entry's record; {@code 1 <= sequence <= latestSequence()}. */
    long positionOf(long sequence) {
        long index = sequence - 1;
        return chunks[chunkIndexOf(index)][offsetOf(index)];
    }

    /** The published entry at {@code sequence}, read from its record; the payload is a view, not a copy. */
    public Entry entry(long sequence) {
        long position = positionOf(sequence);
        return EntryRecord.entry(records.segment(position).records(), RecordStore.offset(position));
    }

    /** The key of a published entry, decoded. */
    public String keyAt(long sequence) {
        long position = positionOf(sequence);
        return EntryRecord.key(records.segment(position).records(), RecordStore.offset(position));
    }

    /** Whether a published entry's key is exactly {@code keyUtf8}. */
    boolean keyEquals(long sequence, byte[] keyUtf8) {
        long position = positionOf(sequence);
        return EntryRecord.keyEquals(records.segment(position).records(), RecordStore.offset(position), keyUtf8);
    }

    /** The segment buffer holding a published entry's record (absolute reads only), at {@link #offsetAt}. */
    ByteBuffer recordBuffer(long sequence) {
        return records.segment(positionOf(sequence)).records();
    }

    int offsetAt(long sequence) {
        return RecordStore.offset(positionOf(sequence));
    }

    /** Writer only ({@link ContextWriter}): stores the position of entry {@code index + 1}, growing the index. */
    final void index(long index, long position) {
        int chunkIndex = chunkIndexOf(index);
        long[][] cs = chunks;
        if (chunkIndex >= cs.length || cs[chunkIndex] == null) {
            cs = grow(cs, chunkIndex);
        }
        cs[chunkIndex][offsetOf(index)] = position;
    }

    /** Writer only ({@link ContextWriter}): makes entries up to {@code sequence} visible (a release store). */
    final void publishUpTo(long sequence) {
        LATEST.setRelease(this, sequence);
    }

    private long[][] grow(long[][] cs, int chunkIndex) {
        long[][] next = cs;
        if (chunkIndex >= cs.length) {
            next = new long[Math.max(cs.length * 2, chunkIndex + 1)][];
            System.arraycopy(cs, 0, next, 0, cs.length);
        }
        next[chunkIndex] = new long[chunkCapacity(chunkIndex)];
        chunks = next;
        return next;
    }

    static int chunkIndexOf(long index) {
        if (index < GROWING_CAPACITY) {
            long j = index / FIRST_CHUNK + 1;
            return 63 - Long.numberOfLeadingZeros(j);
        }
        return GROWING_CHUNKS + (int) ((index - GROWING_CAPACITY) >>> MAX_CHUNK_SHIFT);
    }

    static int offsetOf(long index) {
        if (index < GROWING_CAPACITY) {
            int k = chunkIndexOf(index);
            return (int) (index - (long) FIRST_CHUNK * ((1L << k) - 1));
        }
        return (int) ((index - GROWING_CAPACITY) & (MAX_CHUNK - 1));
    }

    static int chunkCapacity(int chunkIndex) {
        return chunkIndex < GROWING_CHUNKS ? FIRST_CHUNK << chunkIndex : MAX_CHUNK;
    }
}
