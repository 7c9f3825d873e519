package io.converge.ledger.core;

/**
 * Where small payloads are stored: copied back to back into large shared arrays instead
 * of each keeping its own. A stored entry then holds no object of its own for its
 * payload, so the garbage collector has nothing per entry to trace or copy: each young
 * collection otherwise copied every entry appended since the last one, which was most of
 * the GC's work and all of its pauses under sustained appends.
 *
 * <p>Writer-confined: {@link #store} is called by the sequencer only. A slab's bytes
 * never change once written, and a reader sees them through the release store that
 * publishes the entry (see {@link ContextLog}).
 */
final class PayloadSlab {
    /**
     * Bytes per slab. Under half of G1's smallest region (1 MiB), so a slab is never a
     * humongous object, which takes whole regions and would waste up to half of them:
     * it is copied once out of the young generation, like any other array. (Slabs sized to
     * fill a region exactly were tried: G1 then ran a concurrent cycle after cycle for the
     * humongous allocations, and AppendStream lost 10%.)
     */
    static final int SLAB_BYTES = 256 * 1024;
    /** Larger payloads keep their own array: copying them would buy little and waste slab tails. */
    static final int MAX_SLAB_PAYLOAD = 4096;

    /** The slab being filled; null until the first payload. */
    private byte[] slab;
    private int used;
    /** The offset {@link #store} put its payload at, in {@link #lastSlab()}. */
    private int lastOffset;
    private byte[] lastSlab;

    /** Whether {@link #store} copies a payload of this length; else the entry keeps the caller's array. */
    static boolean fits(int length) {
        return length > 0 && length <= MAX_SLAB_PAYLOAD;
    }

    /** Writer only: copies {@code payload} ({@link #fits}) into a slab, at {@link #lastSlab()}, {@link #lastOffset()}. */
    void store(byte[] payload) {
        int n = payload.length;
        if (slab == null || used + n > slab.length) {
            slab = new byte[SLAB_BYTES]; // the tail of the old one stays unused: under 1.6% of it
            used = 0;
        }
        System.arraycopy(payload, 0, slab, used, n);
        lastSlab = slab;
        lastOffset = used;
        used += n;
    }

    byte[] lastSlab() {
        return lastSlab;
    }

    int lastOffset() {
        return lastOffset;
    }
}
