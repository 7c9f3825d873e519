package io.converge.ledger.core;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The ledger engine: the one entry point of {@code core}.
 *
 * <pre>
 *  callers ──publish──▶ [ ring of LedgerCommand ] ──▶ Sequencer ──▶ CompletionHandler ──▶ callbacks
 *  (any thread)          one Disruptor, MULTI producer   (writes ContextStore)   (WatchFanOut) ─signal─▶ WatchCursor
 *  readers ◀───────────── ContextView / snapshot, lock-free reads of published entries ◀───┘ (watch threads)
 * </pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread. Input is validated on
 * the calling thread before anything enters the ring, so a refused call throws
 * {@link LedgerException} and changes nothing. Writes ({@link #append}, {@link #load})
 * complete through their callback on the completion thread. Reads ({@link #view},
 * {@link #snapshot}) do not go through the ring and never wait for writes.
 */
public final class Ledger implements AutoCloseable {
    private final LedgerConfig config;
    private final ContextStore store = new ContextStore();
    private final LedgerStats stats = new LedgerStats();
    private final Disruptor<LedgerCommand> disruptor;
    private final CompletionHandler completion;
    private final RingBuffer<LedgerCommand> ring;
    private final ExecutorService watchExecutor;
    /** Every thread this ledger started, so that close can wait for each to end. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** Publishers between their closed-check and their publish; close waits for them to leave. */
    private final AtomicInteger publishers = new AtomicInteger();
    private volatile boolean closed;

    private Ledger(LedgerConfig config) {
        this.config = config;
        this.watchExecutor = Executors.newFixedThreadPool(config.watchThreads(), daemonThreads("ledger-watch"));
        this.disruptor = new Disruptor<>(LedgerCommand::new, config.ringSize(), daemonThreads("ledger-ring"),
            ProducerType.MULTI, config.waitStrategy().create());
        this.completion = new CompletionHandler(new WatchFanOut(stats));
        disruptor.handleEventsWith(new Sequencer(store, new EntryIds(), config.epochNanos(),
                config.memoryBudgetBytes(), stats))
            .then(completion);
        this.ring = disruptor.start();
    }

    /** Starts a ledger: its ring threads and watch threads run until {@link #close()}. */
    public static Ledger start(LedgerConfig config) {
        return new Ledger(config);
    }

    public LedgerConfig config() {
        return config;
    }

    public LedgerStats stats() {
        return stats;
    }

    /** Number of contexts that hold entries. */
    public int contextCount() {
        return store.size();
    }

    /** Free slots in the command ring right now. */
    public long ringRemainingCapacity() {
        return ring.remainingCapacity();
    }

    /**
     * Appends one entry. On success the callback gets the entry's sequence, id and time.
     * The ledger keeps {@code payload} and {@code metadata} by reference, without copying:
     * the caller must not modify either afterwards (protobuf's are immutable).
     *
     * @throws LedgerException INVALID_ARGUMENT or RESOURCE_EXHAUSTED for input the contract
     *                         refuses; RESOURCE_EXHAUSTED when the ring stays full;
     *                         UNAVAILABLE when closed. The callback is not called then.
     */
    public void append(String contextId, String key, byte[] payload, Map<String, String> metadata,
                       AppendCallback callback) {
        InputRules.checkContextId(contextId);
        int keyBytes = InputRules.checkKey(key, "key");
        InputRules.checkPayload(payload.length);
        int metadataBytes = InputRules.checkMetadata(metadata);
        long slot = claim();
        try {
            LedgerCommand c = ring.get(slot);
            c.type = LedgerCommand.Type.APPEND;
            c.contextId = contextId;
            c.key = key;
            c.payload = payload;
            c.metadata = metadata;
            c.cost = EntryCost.of(keyBytes, payload.length, metadataBytes, metadata.size());
            c.appendCallback = callback;
        } finally {
            publish(slot);
        }
    }

    /**
     * Restores a snapshot blob into {@code contextId} under the contract's Load rules.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id or a blob that is empty,
     *                         corrupt or of an unknown version; RESOURCE_EXHAUSTED or
     *                         UNAVAILABLE as for {@link #append}. ALREADY_EXISTS,
     *                         FAILED_PRECONDITION and the memory budget come to the callback.
     */
    public void load(String contextId, byte[] blob, boolean failIfExists, LoadCallback callback) {
        InputRules.checkContextId(contextId);
        DecodedSnapshot snapshot = SnapshotCodec.decode(blob);
        long slot = claim();
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
     * A consistent, lock-free read of the context as of now.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id
     */
    public ContextView view(String contextId) {
        InputRules.checkContextId(contextId);
        return ContextView.of(store.find(contextId));
    }

    /**
     * As {@link #view(String)}, for a reader that will filter by {@code keyFilter} (any key
     * when empty): the filter is checked by the same rule as a Watch's.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id or key filter
     */
    public ContextView view(String contextId, String keyFilter) {
        ContextView view = view(contextId);
        InputRules.checkKey(keyFilter, "key filter");
        return view;
    }

    /**
     * Snapshots every entry of the context as of now, on the calling thread.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id
     */
    public SnapshotResult snapshot(String contextId) {
        ContextView view = view(contextId);
        long createdAt = config.epochNanos().getAsLong();
        byte[] blob = SnapshotCodec.encode(contextId, createdAt, view.entries());
        return new SnapshotResult(blob, view.latestSequence(), view.latestSequence(), SnapshotCodec.VERSION, createdAt);
    }

    /**
     * Watches the entries after {@code fromSequence} with {@code key} (any when empty): the
     * stored ones, then each new one, delivered to {@code sink} as it is ready.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id or key filter;
     *                         RESOURCE_EXHAUSTED or UNAVAILABLE as for {@link #append}
     */
    public WatchSubscription watch(String contextId, String key, long fromSequence, WatchSink sink) {
        InputRules.checkContextId(contextId);
        InputRules.checkKey(key, "key filter");
        WatchCursor cursor = new WatchCursor(contextId, key, Math.max(0, fromSequence), sink, store, watchExecutor,
            this::unwatch);
        long slot = claim();
        try {
            LedgerCommand c = ring.get(slot);
            c.type = LedgerCommand.Type.WATCH;
            c.cursor = cursor;
        } finally {
            publish(slot);
        }
        return cursor;
    }

    private void unwatch(WatchCursor cursor) {
        publishers.incrementAndGet();
        if (closed) {
            publishers.decrementAndGet();
            return;
        }
        long slot = ring.next(); // a cancellation must not be lost: wait for the ring, which is draining
        try {
            LedgerCommand c = ring.get(slot);
            c.type = LedgerCommand.Type.UNWATCH;
            c.cursor = cursor;
        } finally {
            publish(slot);
        }
    }

    private long claim() {
        publishers.incrementAndGet();
        if (closed) {
            publishers.decrementAndGet();
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the ledger is shutting down");
        }
        try {
            return ring.tryNext();
        } catch (InsufficientCapacityException full) {
            long deadline = System.nanoTime() + config.ringFullWaitNanos();
            while (System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(10_000);
                try {
                    return ring.tryNext();
                } catch (InsufficientCapacityException stillFull) {
                    // until the deadline
                }
            }
            publishers.decrementAndGet();
            throw LedgerException.exhausted("the ledger's command ring (" + config.ringSize()
                + " slots) stayed full for " + TimeUnit.NANOSECONDS.toMillis(config.ringFullWaitNanos())
                + " ms: the server is overloaded, retry later");
        }
    }

    private void publish(long slot) {
        ring.publish(slot);
        publishers.decrementAndGet();
    }

    /**
     * Stops taking commands, finishes every command already in the ring, ends every watch
     * (after it delivered what its sink was ready for) and waits for every thread it started
     * to end. Idempotent; waits at most about 10 seconds.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
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
        while (disruptor.getSequenceValueFor(completion) < slot && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
        disruptor.halt();
        watchExecutor.shutdown();
        long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, prefix + "-" + n.getAndIncrement());
            t.setDaemon(true);
            threads.add(t);
            return t;
        };
    }
}
