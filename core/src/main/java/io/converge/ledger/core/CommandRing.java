package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.EventHandlerGroup;
import com.lmax.disruptor.dsl.ProducerType;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one Disruptor ring of {@link LedgerCommand} slots, its producer protocol and its
 * lifecycle. Any thread may publish; each handler runs on its own thread, in the order
 * given, and sees every command after the handler before it.
 *
 * <p>Publishing is this class's alone: {@link #publishAppend}, {@link #publishBatch} and
 * {@link #publishLoad} each check, claim, fill and publish (an append or batch may give up
 * at once on a full ring, for a caller that must not block). Publish stamps the slot with
 * {@link System#nanoTime()} for the ledger's latency tracking. After {@link #close()}
 * begins, claims are refused with UNAVAILABLE; after a fault that stopped the ledger
 * ({@link RingFaults}), too.
 */
final class CommandRing {
    private final LedgerConfig config;
    private final DaemonThreads threads;
    private final Disruptor<LedgerCommand> disruptor;
    private final RingBuffer<LedgerCommand> ring;
    private final EventHandler<LedgerCommand> last;
    private final RingFaults faults;
    /** Publishers between their closed-check and their publish; close waits for them to leave. */
    private final AtomicInteger publishers = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Starts the ring's handler threads; {@code handlers} run in this order on every command.
     * A fault in the first (the sequencer) refuses its command; in the others it is logged
     * (see {@link RingFaults}).
     */
    CommandRing(LedgerConfig config, WaitStrategy waitStrategy, List<EventHandler<LedgerCommand>> handlers,
                RingFaults faults) {
        this.config = config;
        this.faults = faults;
        this.threads = new DaemonThreads("ledger-ring", faults);
        this.disruptor = new Disruptor<>(LedgerCommand::new, config.ringSize(), threads, ProducerType.MULTI,
            waitStrategy);
        EventHandlerGroup<LedgerCommand> group = disruptor.handleEventsWith(handlers.get(0));
        for (EventHandler<LedgerCommand> next : handlers.subList(1, handlers.size())) {
            group = group.then(next);
        }
        this.last = handlers.get(handlers.size() - 1);
        disruptor.handleExceptionsFor(handlers.get(0)).with(faults.refusing("sequencer"));
        for (EventHandler<LedgerCommand> next : handlers.subList(1, handlers.size())) {
            disruptor.handleExceptionsFor(next).with(faults.logging(next.getClass().getSimpleName()));
        }
        this.ring = disruptor.start();
        if (waitStrategy instanceof SpinYieldParkWaitStrategy parking) {
            parking.waitForPublication(ring::isAvailable);
        }
    }

    /** Whether {@link #close()} began. */
    boolean isClosed() {
        return closed;
    }

    /** Free slots right now. */
    long remainingCapacity() {
        return ring.remainingCapacity();
    }

    /**
     * The producer path of an append: checks the input on the calling thread, then claims,
     * fills and publishes one slot.
     *
     * @param waitForRoom wait the configured time for room in the ring, else give up at once
     * @return false when the ring had no room (only without waiting); nothing is published then
     * @throws LedgerException as {@link Ledger#append} documents; nothing is published then
     */
    boolean publishAppend(String contextId, String key, byte[] payload, Map<String, String> metadata,
                          AppendCallback callback, boolean waitForRoom) {
        int contextIdBytes = InputRules.checkContextId(contextId);
        int keyBytes = InputRules.checkKey(key, "key");
        InputRules.checkPayload(payload.length);
        int metadataBytes = InputRules.checkMetadata(metadata);
        long slot = claim(1, waitForRoom);
        if (slot < 0) {
            return false;
        }
        try {
            LedgerCommand c = ring.get(slot);
            c.type = LedgerCommand.Type.APPEND;
            c.contextId = contextId;
            c.key = key;
            c.payload = payload;
            c.metadata = metadata;
            c.recordBytes = EntryWriter.recordBytes(contextIdBytes, keyBytes, metadataBytes, metadata.size(),
                payload.length);
            c.appendCallback = callback;
        } finally {
            publish(slot);
        }
        return true;
    }

    /**
     * The producer path of a batch: checks every entry on the calling thread, then claims
     * one range of slots, an entry per slot (one slot for an empty batch), fills and
     * publishes them together, so the sequencer takes them in one run.
     *
     * @param waitForRoom wait the configured time for room in the ring, else give up at once
     * @return false when the ring had no room (only without waiting); nothing is published then
     * @throws LedgerException as {@link Ledger#appendBatch} documents; nothing is published then
     */
    boolean publishBatch(BatchEntries entries, BatchStream stream, BatchAppendCallback callback, boolean waitForRoom) {
        int n = entries.size();
        InputRules.checkBatchSize(n, Math.min(InputRules.MAX_BATCH_ENTRIES, config.ringSize()));
        // Everything is checked, and the payloads taken out, before the claim: between the claim
        // and the publish the sequencer waits on the claimed range, so filling slots must be mere stores.
        long recordBytes = 0;
        int largestRecord = 0;
        int[] sizes = new int[n];
        String checkedContextId = null; // a run of entries sharing one String is checked once
        String checkedKey = null;
        int contextIdBytes = 0;
        int keyBytes = 0;
        for (int i = 0; i < n; i++) {
            try {
                String contextId = entries.contextId(i);
                if (contextId != checkedContextId) {
                    contextIdBytes = InputRules.checkContextId(contextId);
                    checkedContextId = contextId;
                }
                String key = entries.key(i);
                if (key != checkedKey) {
                    keyBytes = InputRules.checkKey(key, "key");
                    checkedKey = key;
                }
                int payloadBytes = entries.payloadLength(i);
                InputRules.checkPayload(payloadBytes);
                Map<String, String> metadata = entries.metadata(i);
                int metadataBytes = InputRules.checkMetadata(metadata);
                int size = EntryWriter.recordBytes(contextIdBytes, keyBytes, metadataBytes, metadata.size(),
                    payloadBytes);
                sizes[i] = size;
                recordBytes += size;
                largestRecord = Math.max(largestRecord, size);
            } catch (LedgerException refused) {
                throw InputRules.atEntry(i, refused);
            }
        }
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            payloads[i] = entries.payload(i);
        }
        int slots = Math.max(1, n);
        long hi = claim(slots, waitForRoom);
        if (hi < 0) {
            return false;
        }
        AppendedBatch batch = new AppendedBatch(n, recordBytes, largestRecord, stream, callback);
        long lo = hi - slots + 1;
        try {
            for (int i = 0; i < slots; i++) {
                LedgerCommand c = ring.get(lo + i);
                c.type = LedgerCommand.Type.BATCH_APPEND;
                c.batch = batch;
                c.batchIndex = i;
                if (i < n) {
                    c.contextId = entries.contextId(i);
                    c.key = entries.key(i);
                    c.payload = payloads[i];
                    c.metadata = entries.metadata(i);
                    c.recordBytes = sizes[i];
                }
            }
        } finally {
            publish(lo, hi);
        }
        return true;
    }

    /**
     * The producer path of a Load: claims one slot (waiting the configured time for a full
     * ring: Loads run on a pool thread, never an event loop), fills and publishes it.
     *
     * @throws LedgerException UNAVAILABLE once closing; RESOURCE_EXHAUSTED when the ring stays full
     */
    void publishLoad(String contextId, DecodedSnapshot snapshot, boolean failIfExists, LoadCallback callback) {
        long slot = claim(1, true);
        try {
            LedgerCommand c = ring.get(slot);
            c.type = LedgerCommand.Type.LOAD;
            c.contextId = contextId;
            c.snapshot = snapshot;
            c.failIfExists = failIfExists;
            c.loadCallback = callback;
        } finally {
            publish(slot);
        }
    }

    /**
     * Claims {@code n} consecutive slots ({@code 1 <= n <= ring size}) and returns the
     * last; every successful claim must be followed by {@link #publish(long, long)}.
     *
     * @param waitForRoom wait the configured time for room, else give up at once
     * @return the last slot claimed, or -1 when the ring had no room and {@code waitForRoom} is false
     * @throws LedgerException UNAVAILABLE once closing; RESOURCE_EXHAUSTED ({@link #full()})
     *                         when the ring had no {@code n} free slots for the configured wait
     */
    private long claim(int n, boolean waitForRoom) {
        publishers.incrementAndGet();
        if (closed) {
            publishers.decrementAndGet();
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the ledger is shutting down");
        }
        String failure = faults.failure();
        if (failure != null) {
            publishers.decrementAndGet();
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, failure);
        }
        try {
            return ring.tryNext(n);
        } catch (InsufficientCapacityException full) {
            long deadline = System.nanoTime() + config.ringFullWaitNanos();
            while (waitForRoom && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(10_000);
                try {
                    return ring.tryNext(n);
                } catch (InsufficientCapacityException stillFull) {
                    // until the deadline
                }
            }
            publishers.decrementAndGet();
            if (!waitForRoom) {
                return -1;
            }
            throw full();
        }
    }

    /** The refusal of a command that found no room in the ring for the configured wait. */
    LedgerException full() {
        return LedgerException.exhausted("the ledger's command ring (" + config.ringSize()
            + " slots) stayed full for " + TimeUnit.NANOSECONDS.toMillis(config.ringFullWaitNanos())
            + " ms: the server is overloaded, retry later");
    }

    /** Publishes a claimed slot, stamped with the time now. */
    private void publish(long slot) {
        ring.get(slot).publishedAtNanos = System.nanoTime();
        ring.publish(slot);
        publishers.decrementAndGet();
    }

    /**
     * Publishes the claimed range {@code lo..hi} of one batch; only its last slot is stamped
     * with the time now, as a batch's latency is taken there, once for all its entries.
     */
    private void publish(long lo, long hi) {
        ring.get(hi).publishedAtNanos = System.nanoTime();
        ring.publish(lo, hi);
        publishers.decrementAndGet();
    }

    /**
     * Refuses new claims, waits for claims in flight, and runs every command already in
     * the ring through every handler, then a CLOSE command; then stops the handler threads
     * and waits for them to end. Idempotent; waits at most about 10 seconds.
     *
     * @return false when an earlier call already closed the ring
     */
    boolean close() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        while (publishers.get() != 0) {
            Thread.onSpinWait();
        }
        long slot = ring.next();
        ring.get(slot).type = LedgerCommand.Type.CLOSE;
        ring.publish(slot);
        // Not disruptor.shutdown(): its backlog check skips handlers whose threads have not
        // started yet, then halts them before they ran the commands already in the ring.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (disruptor.getSequenceValueFor(last) < slot && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
        disruptor.halt();
        threads.join(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        return true;
    }
}
