package io.converge.ledger.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;

/**
 * The entries of one context, stored column-wise in preallocated, chunked arrays.
 *
 * <p><b>Threading.</b> One writer, the sequencer, calls {@link #write} and
 * {@link #publish}; any number of readers call the other methods concurrently, without
 * locks. A reader first reads {@link #latestSequence()} (an acquire load); every entry
 * up to that sequence is then fully visible and never changes, because the writer
 * fills an entry's slots before it releases the new latest sequence.
 *
 * <p><b>Layout.</b> Entry {@code sequence} lives at index {@code sequence - 1}. Chunks
 * double in size from {@value #FIRST_CHUNK} entry up to {@value #MAX_CHUNK}, then stay
 * at that size, so a context holds no unused slot until its second entry (a million
 * one-entry contexts are common: about 210 bytes of structure each, docs/PERFORMANCE.md)
 * and a large one never copies what it already holds. Each chunk holds two arrays: four
 * {@code long}s per entry (id high bits, id low bits, appended-at, payload position) and
 * three references (key, payload, metadata). A payload of up to 4 KiB is copied into the
 * shared {@link PayloadSlab} (the reference is the slab, the position its offset and
 * length); a larger or empty one is kept as given (position -1). A write allocates
 * nothing except, once per chunk, the chunk (and once per megabyte of payloads, a slab).
 */
public final class ContextLog {
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

    private static final int LONGS = 4;
    private static final int REFS = 3;
    private static final byte[] EMPTY = new byte[0];

    private final String contextId;
    private final PayloadSlab slab;
    /** Replaced (copied, grown) only by the writer, before it publishes what it covers. */
    private volatile Chunk[] chunks = new Chunk[1];
    @SuppressWarnings("unused") // accessed through LATEST
    private long latest;

    // Writer-only state.
    private long written;
    private long lastAppendedAtNs;
    /** The key of the last written entry: an equal key is stored as this same String, once. */
    private String lastKey;

    ContextLog(String contextId, PayloadSlab slab) {
        this.contextId = contextId;
        this.slab = slab;
    }

    /** A log with a slab of its own. */
    ContextLog(String contextId) {
        this(contextId, new PayloadSlab());
    }

    public String contextId() {
        return contextId;
    }

    /** The latest published sequence, 0 when empty. Acquire semantics: see class doc. */
    public long latestSequence() {
        return (long) LATEST.getAcquire(this);
    }

    /** The key of a published entry; {@code 1 <= sequence <= latestSequence()}. */
    public String keyAt(long sequence) {
        long index = sequence - 1;
        return (String) chunkFor(index).refs[REFS * offsetOf(index)];
    }

    /** The published entry at {@code sequence}; {@code 1 <= sequence <= latestSequence()}. */
    public Entry entry(long sequence) {
        long index = sequence - 1;
        Chunk chunk = chunkFor(index);
        int o = offsetOf(index);
        long[] l = chunk.longs;
        Object[] r = chunk.refs;
        @SuppressWarnings("unchecked")
        Map<String, String> metadata = (Map<String, String>) r[REFS * o + 2];
        return new Entry(EntryIds.format(l[LONGS * o], l[LONGS * o + 1]), (String) r[REFS * o],
            payload(r[REFS * o + 1], l[LONGS * o + 3]), sequence, l[LONGS * o + 2], metadata);
    }

    long idHiAt(long sequence) {
        long index = sequence - 1;
        return chunkFor(index).longs[LONGS * offsetOf(index)];
    }

    long idLoAt(long sequence) {
        long index = sequence - 1;
        return chunkFor(index).longs[LONGS * offsetOf(index) + 1];
    }

    long appendedAtNsAt(long sequence) {
        long index = sequence - 1;
        return chunkFor(index).longs[LONGS * offsetOf(index) + 2];
    }

    /** The payload of a published entry: a copy when it lives in a slab, else the array it was given as. */
    byte[] payloadAt(long sequence) {
        long index = sequence - 1;
        Chunk chunk = chunkFor(index);
        int o = offsetOf(index);
        return payload(chunk.refs[REFS * o + 1], chunk.longs[LONGS * o + 3]);
    }

    @SuppressWarnings("unchecked")
    Map<String, String> metadataAt(long sequence) {
        long index = sequence - 1;
        return (Map<String, String>) chunkFor(index).refs[REFS * offsetOf(index) + 2];
    }

    private static byte[] payload(Object stored, long position) {
        byte[] bytes = (byte[]) stored;
        if (position < 0) {
            return bytes;
        }
        int offset = (int) (position >>> 32);
        return Arrays.copyOfRange(bytes, offset, offset + (int) position);
    }

    /** Writer only: the sequence the next {@link #write} gets. */
    long nextSequence() {
        return written + 1;
    }

    /** Writer only: the appended-at of the last written entry, 0 when empty. */
    long lastAppendedAtNs() {
        return lastAppendedAtNs;
    }

    /**
     * Writer only: stores the next entry, invisible to readers until {@link #publish}.
     *
     * @return the entry's sequence
     */
    long write(long idHi, long idLo, long appendedAtNs, String key, byte[] payload, Map<String, String> metadata) {
        long index = written;
        int chunkIndex = chunkIndexOf(index);
        Chunk[] cs = chunks;
        if (chunkIndex >= cs.length || cs[chunkIndex] == null) {
            cs = grow(cs, chunkIndex);
        }
        Chunk chunk = cs[chunkIndex];
        int o = offsetOf(index);
        chunk.longs[LONGS * o] = idHi;
        chunk.longs[LONGS * o + 1] = idLo;
        chunk.longs[LONGS * o + 2] = appendedAtNs;
        Object storedPayload;
        if (PayloadSlab.fits(payload.length)) {
            slab.store(payload);
            storedPayload = slab.lastSlab();
            chunk.longs[LONGS * o + 3] = (long) slab.lastOffset() << 32 | payload.length;
        } else {
            storedPayload = payload.length == 0 ? EMPTY : payload;
            chunk.longs[LONGS * o + 3] = -1;
        }
        if (key.equals(lastKey)) {
            key = lastKey; // a run of one key keeps one String, not one per entry
        } else {
            lastKey = key;
        }
        chunk.refs[REFS * o] = key;
        chunk.refs[REFS * o + 1] = storedPayload;
        chunk.refs[REFS * o + 2] = metadata;
        written = index + 1;
        lastAppendedAtNs = appendedAtNs;
        return index + 1;
    }

    /** Writer only: makes every written entry visible to readers (a release store). */
    void publish() {
        LATEST.setRelease(this, written);
    }

    private Chunk[] grow(Chunk[] cs, int chunkIndex) {
        Chunk[] next = cs;
        if (chunkIndex >= cs.length) {
            next = new Chunk[Math.max(cs.length * 2, chunkIndex + 1)];
            System.arraycopy(cs, 0, next, 0, cs.length);
        }
        next[chunkIndex] = new Chunk(chunkCapacity(chunkIndex));
        chunks = next;
        return next;
    }

    private Chunk chunkFor(long index) {
        return chunks[chunkIndexOf(index)];
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

    private static final class Chunk {
        final long[] longs;
        final Object[] refs;

        Chunk(int capacity) {
            longs = new long[LONGS * capacity];
            refs = new Object[REFS * capacity];
        }
    }
}
