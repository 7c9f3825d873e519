package io.converge.ledger.transport;

import com.google.protobuf.CodedOutputStream;
import io.converge.context.v1.Entry;
import io.converge.ledger.core.ContextLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The recently watched entries in their wire bytes, shared by every watcher they go to:
 * an entry is encoded once, however many Watch and WatchBatches streams send it. Each is
 * kept <em>framed</em> as field 1 of its message (tag, length, the {@code Entry}'s bytes),
 * which is a whole {@code WatchEvent}, and which {@code WatchBatch} repeats per entry.
 *
 * <p>A direct-mapped table of {@value #SLOTS} slots, indexed by context and sequence, so
 * consecutive entries of a context take consecutive slots; at most {@code capBytes} of
 * encoded entries are kept (a clock hand clears slots beyond it). An entry that was
 * evicted is encoded again when next asked for. Thread-safe: lookups are lock-free; two
 * watchers missing the same slot at once encode it once (a striped lock).
 */
final class EncodedEntries {
    static final int SLOTS = 4096;
    private static final int MASK = SLOTS - 1;
    private static final int STRIPES = 64;

    private final AtomicReferenceArray<Encoded> slots = new AtomicReferenceArray<>(SLOTS);
    private final Object[] stripes = new Object[STRIPES];
    private final long capBytes;
    private final AtomicLong cachedBytes = new AtomicLong();
    private final AtomicLong encodings = new AtomicLong();
    private int hand; // guarded by this

    /** @param capBytes most bytes of encoded entries kept at once */
    EncodedEntries(long capBytes) {
        this.capBytes = capBytes;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** Bytes kept by default: 64 MiB, or a sixteenth of the heap when that is less. */
    static long defaultCapBytes() {
        return Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);
    }

    /** The framed wire bytes of the published entry at {@code sequence} of {@code log}; shared: do not modify. */
    byte[] framed(ContextLog log, long sequence) {
        int i = index(log, sequence);
        Encoded e = slots.get(i);
        if (e != null && e.log == log && e.sequence == sequence) {
            return e.framed;
        }
        byte[] framed;
        synchronized (stripes[i & (STRIPES - 1)]) {
            e = slots.get(i);
            if (e != null && e.log == log && e.sequence == sequence) {
                return e.framed;
            }
            framed = encode(ProtoEntries.toProto(log.entry(sequence)));
            encodings.incrementAndGet();
            Encoded old = slots.getAndSet(i, new Encoded(log, sequence, framed));
            cachedBytes.addAndGet(framed.length - (old == null ? 0 : old.framed.length));
        }
        if (cachedBytes.get() > capBytes) {
            evict();
        }
        return framed;
    }

    /** Entries encoded since start: each stored entry once while it stays in the table. */
    long encodings() {
        return encodings.get();
    }

    /** Bytes of encoded entries kept now. */
    long cachedBytes() {
        return cachedBytes.get();
    }

    private synchronized void evict() {
        long target = capBytes - capBytes / 4;
        for (int swept = 0; swept < SLOTS && cachedBytes.get() > target; swept++) {
            Encoded e = slots.getAndSet(hand, null);
            if (e != null) {
                cachedBytes.addAndGet(-e.framed.length);
            }
            hand = (hand + 1) & MASK;
        }
    }

    private static int index(ContextLog log, long sequence) {
        return (int) (System.identityHashCode(log) * 0x9E3779B9L + sequence) & MASK;
    }

    /** {@code entry} as field 1 of a message: a whole {@code WatchEvent}, or one entry of a {@code WatchBatch}. */
    static byte[] encode(Entry entry) {
        byte[] out = new byte[CodedOutputStream.computeMessageSize(1, entry)];
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        try {
            coded.writeMessage(1, entry);
            coded.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private record Encoded(ContextLog log, long sequence, byte[] framed) {
    }
}
