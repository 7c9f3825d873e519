package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.WaitStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
    private static final System.Logger LOG = System.getLogger(Ledger.class.getName());

    private final LedgerConfig config;
    private final RecordStore records;
    private final ContextStore store;
    private final LedgerStats stats = new LedgerStats();
    private final RingFaults faults = new RingFaults();
    private final WatchFanOut fanOut = new WatchFanOut(stats);
    private final Recovery.Result recovered;
    private final IntervalFlusher flusher;
    private final LedgerLatency latency = new LedgerLatency();
    private final DaemonThreads watchThreads = new DaemonThreads("ledger-watch", faults);
    private final ExecutorService watchExecutor;
    private final CommandRing commands;
    /** Cluster mode: the log this ledger writes through, and its applier; null standalone. */
    private final ReplicatedLog log;
    private final LogApplier applier;

    private Ledger(LedgerConfig config, RecordStore records, Runnable batchEnd, ReplicatedLog log) {
        this.config = config;
        this.records = records;
        this.store = new ContextStore(records);
        StorageConfig storage = config.storage();
        MemoryBudget budget = new MemoryBudget(config.memoryBudgetBytes(), storage.inMemory(), stats);
        try {
            this.recovered = Recovery.run(records, store, storage.recovery());
        } catch (RuntimeException e) {
            records.close();
            throw e;
        }
        records.resumeAt(recovered.endPosition());
        budget.charge(recovered.entries(), budget.ofEntries(recovered.entries(), records.bytesWritten()));
        for (ContextLog context : store.all()) {
            budget.charge(0, MemoryBudget.ofContext(context.contextId()));
        }
        if (records instanceof SegmentedStore segmented) {
            segmented.startPreallocating();
        }
        this.watchExecutor = Executors.newFixedThreadPool(config.watchThreads(), watchThreads);
        WaitStrategy wait = config.waitStrategy().create();
        List<EventHandler<LedgerCommand>> handlers = new ArrayList<>();
        this.log = log;
        if (log == null) {
            this.applier = null;
            handlers.add(new Sequencer(store, budget, new EntryIds(), config.epochNanos(), stats, new StageSignal(wait)));
            boolean journal = !storage.inMemory() && storage.fsync() == StorageConfig.Fsync.ALWAYS;
            if (journal) {
                handlers.add(new Journal(records, stats, new StageSignal(wait)));
            }
        } else {
            PendingReplies pending = new PendingReplies();
            this.applier = new LogApplier(store, budget, log, fanOut, pending, batchEnd, stats, faults);
            handlers.add(new LogForwarder(log, pending, batchEnd));
        }
        handlers.add(new CompletionHandler(fanOut, latency, batchEnd, log == null));
        this.commands = new CommandRing(config, wait, handlers, faults);
        this.flusher = !storage.inMemory() && storage.fsync() == StorageConfig.Fsync.INTERVAL
            ? new IntervalFlusher(records, storage.fsyncIntervalNanos(), faults) : null;
        if (recovered.entries() > 0) {
            LOG.log(System.Logger.Level.INFO, "recovered " + recovered.entries() + " entries of " + store.size()
                + " contexts from " + storage);
        }
    }

    /**
     * Starts a ledger: opens its store (for file storage: locks the data directory and
     * recovers every entry in it, before this returns), then its ring threads and watch
     * threads, which run until {@link #close()}.
     *
     * @throws IllegalStateException when the data directory is held by another server, or
     *                               holds a damaged record that recovery may not cut
     */
    public static Ledger start(LedgerConfig config) {
        return start(config, () -> { });
    }

    /**
     * As {@link #start(LedgerConfig)}, with an action run on the completion thread after the
     * callbacks of each ring batch, so that a transport can hand their replies on together.
     *
     * @param batchEnd must not block
     */
    public static Ledger start(LedgerConfig config, Runnable batchEnd) {
        return new Ledger(config, config.storage().open(), batchEnd, null);
    }

    /**
     * Starts a ledger in cluster mode: its ring forwards writes to {@code log} instead of
     * storing them, and its store is written only by its {@link #logApplier()}, which the
     * cluster feeds with the committed log. Callbacks of writes run on the applier's thread
     * (or, for a write the log refused or did not commit in time, on the ring's or the
     * caller of {@link LogApplier#expireOverdue}), each followed by {@code batchEnd} on that
     * thread. The store must start empty: the log rebuilds it.
     *
     * @throws IllegalStateException when the store is not empty
     */
    public static Ledger startReplicated(LedgerConfig config, Runnable batchEnd, ReplicatedLog log) {
        Ledger ledger = new Ledger(config, config.storage().open(), batchEnd, log);
        if (ledger.recoveredEntries() > 0) {
            ledger.close();
            throw new IllegalStateException("a clustered ledger's store must start empty (the cluster's log rebuilds it),"
                + " but " + config.storage() + " holds " + ledger.recoveredEntries() + " entries");
        }
        return ledger;
    }

    /** As {@link #start(LedgerConfig)}, on a store of the caller's (a test's, to inject failures). */
    static Ledger start(LedgerConfig config, RecordStore records) {
        return new Ledger(config, records, () -> { }, null);
    }

    /** Cluster mode: what applies the committed log to this member's store; null standalone. */
    public LogApplier logApplier() {
        return applier;
    }

    /** Whether this ledger writes through a cluster's log. */
    public boolean clustered() {
        return log != null;
    }

    /**
     * Completes when a read started now sees every entry acknowledged before now, on any
     * member: at once standalone; in cluster mode once this member has applied a barrier
     * sequenced through the log after this call (exceptionally, with a {@link LedgerException}
     * UNAVAILABLE, when that takes longer than the commit timeout). Any thread; never blocks.
     */
    public CompletableFuture<Void> readBarrier() {
        return log == null ? NO_BARRIER : log.readBarrier();
    }

    private static final CompletableFuture<Void> NO_BARRIER = CompletableFuture.completedFuture(null);

    /** What recovery found at start: entries recovered and what it dropped, if anything. */
    public long recoveredEntries() {
        return recovered.entries();
    }

    /** Recovery's reports of what it dropped (a torn tail, a truncation), one line each; empty when nothing. */
    public List<String> recoveryReports() {
        return recovered.reports();
    }

    public LedgerConfig config() {
        return config;
    }

    public LedgerStats stats() {
        return stats;
    }

    /** Server-side latencies of the commands through the ring. */
    public LedgerLatency latency() {
        return latency;
    }

    /** Faults in the ring's handlers since start (each logged; see {@link #failure()}). */
    public long faults() {
        return faults.count();
    }

    /** Why the ledger stopped taking commands after a fault it cannot go on from, or null while it runs. */
    public String failure() {
        return faults.failure();
    }

    /**
     * Runs {@code listener} once, on the faulting thread, if the ledger stops after a fault
     * (then every new command is refused with UNAVAILABLE); it must not block.
     */
    public void onFailure(Runnable listener) {
        faults.onFailure(listener);
    }

    /** Bytes the record log takes, recovered records included (files or memory). */
    public long storedRecordBytes() {
        return records.bytesWritten();
    }

    /**
     * How many times the sequencer found no segment ready ahead of it and waited for the
     * preallocation thread; 0 when segments are ready in time, as they should be.
     */
    public long segmentWaits() {
        return records instanceof SegmentedStore segmented ? segmented.writerWaits() : 0;
    }

    /** Where the ledger keeps its records, for messages: "files in …" or "memory". */
    public String storageDescription() {
        return config.storage().toString();
    }

    /** Number of contexts that hold entries. */
    public int contextCount() {
        return store.size();
    }

    /** Free slots in the command ring right now. */
    public long ringRemainingCapacity() {
        return commands.remainingCapacity();
    }

    /**
     * Appends one entry. On success the callback gets the entry's sequence, id and time.
     * The ledger reads {@code payload} and {@code metadata} on its sequencer thread, after
     * this returns, to copy them into the entry's record: the caller must not modify either
     * afterwards (protobuf's are immutable).
     *
     * @throws LedgerException INVALID_ARGUMENT or RESOURCE_EXHAUSTED for input the contract
     *                         refuses; RESOURCE_EXHAUSTED when the ring stays full;
     *                         UNAVAILABLE when closed. The callback is not called then.
     */
    public void append(String contextId, String key, byte[] payload, Map<String, String> metadata,
                       AppendCallback callback) {
        commands.publishAppend(contextId, key, payload, metadata, callback, true);
    }

    /**
     * As {@link #append}, but never waits for room in the ring: for a caller that must not
     * block (an event loop), which waits by trying again later, up to the configured
     * ring-full wait, and then answers {@link #ringFull()}.
     *
     * @return false when the ring has no free slot now; nothing was published and the
     *         callback will not be called
     * @throws LedgerException as {@link #append}, except for a full ring
     */
    public boolean tryAppend(String contextId, String key, byte[] payload, Map<String, String> metadata,
                             AppendCallback callback) {
        return commands.publishAppend(contextId, key, payload, metadata, callback, false);
    }

    /** The refusal a command gets when the ring stays full for the configured wait (RESOURCE_EXHAUSTED). */
    public LedgerException ringFull() {
        return commands.full();
    }

    /**
     * Appends a batch of entries, possibly to several contexts, all or none: every entry is
     * checked by {@link #append}'s rules before anything is published, then the batch takes
     * one run of ring slots, so its entries to one context get consecutive sequences in
     * batch order. On success the callback gets one ack per entry, in batch order. The
     * ledger reads payloads and metadata as {@link #append} does.
     *
     * @param stream the client stream the batch belongs to, whose later batches the ledger
     *               refuses once it refused one; null for a batch on its own
     * @throws LedgerException for the first entry that breaks a rule: its reason, with a
     *                         message that starts with "entry " and its 0-based index; also
     *                         RESOURCE_EXHAUSTED for more than {@link InputRules#MAX_BATCH_ENTRIES}
     *                         entries (or more than the ring's slots), or when the ring has
     *                         no room for the batch within the configured wait; UNAVAILABLE
     *                         when closed. The callback is not called then. The memory budget
     *                         comes to the callback.
     */
    public void appendBatch(BatchEntries entries, BatchStream stream, BatchAppendCallback callback) {
        commands.publishBatch(entries, stream, callback, true);
    }

    /**
     * As {@link #appendBatch}, but never waits for room in the ring (see {@link #tryAppend}).
     *
     * @return false when the ring has no room for the batch now; nothing was published and
     *         the callback will not be called
     * @throws LedgerException as {@link #appendBatch}, except for a full ring
     */
    public boolean tryAppendBatch(BatchEntries entries, BatchStream stream, BatchAppendCallback callback) {
        return commands.publishBatch(entries, stream, callback, false);
    }

    /**
     * Restores a snapshot blob into {@code contextId} under the contract's Load rules.
     *
     * @throws LedgerException as {@link #load(String, SnapshotBytes, boolean, LoadCallback)}
     */
    public void load(String contextId, byte[] blob, boolean failIfExists, LoadCallback callback) {
        load(contextId, SnapshotBytes.of(blob), failIfExists, callback);
    }

    /**
     * Restores a snapshot blob into {@code contextId} under the contract's Load rules. The
     * blob is checked whole on the calling thread (format, checksum, every entry, append
     * times at most the configured skew past this ledger's clock) before anything is
     * published; the sequencer then reads the entries from {@code blob}, which must stay
     * unchanged until the callback has run.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id or a blob that is empty,
     *                         corrupt, of an unknown version or breaks a rule (naming the
     *                         entry's sequence); RESOURCE_EXHAUSTED or UNAVAILABLE as for
     *                         {@link #append}. ALREADY_EXISTS, FAILED_PRECONDITION, a kept
     *                         id of this ledger's own (INVALID_ARGUMENT) and the memory
     *                         budget come to the callback.
     */
    public void load(String contextId, SnapshotBytes blob, boolean failIfExists, LoadCallback callback) {
        InputRules.checkContextId(contextId);
        long now = config.epochNanos().getAsLong();
        long latestAllowed = now > Long.MAX_VALUE - config.loadMaxClockSkewNanos()
            ? Long.MAX_VALUE : now + config.loadMaxClockSkewNanos();
        commands.publishLoad(contextId, SnapshotCodec.decode(blob, latestAllowed), failIfExists, callback);
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
     * Snapshots every entry of the context as of now, on the calling thread, into one array.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id; RESOURCE_EXHAUSTED when
     *                         the blob would not fit an array
     */
    public SnapshotResult snapshot(String contextId) {
        SnapshotStream s = snapshotStream(contextId);
        return new SnapshotResult(s.readAll(), s.latestSequence(), s.entryCount(), s.version(), s.createdAtNs());
    }

    /**
     * Opens a snapshot of every entry of the context as of now, encoded as it is read (see
     * {@link SnapshotStream}); its size is known at once. Holds nothing but the view: an
     * abandoned stream needs no closing.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id
     */
    public SnapshotStream snapshotStream(String contextId) {
        ContextView view = view(contextId);
        return SnapshotStream.of(contextId, config.epochNanos().getAsLong(), view);
    }

    /**
     * Watches the entries after {@code fromSequence} with {@code key} (any when empty): the
     * stored ones, then each new one, delivered to {@code sink} as it is ready.
     *
     * Never waits: the watch takes no ring slot.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad context id or key filter; UNAVAILABLE
     *                         once closing
     */
    public WatchSubscription watch(String contextId, String key, long fromSequence, WatchSink sink) {
        InputRules.checkContextId(contextId);
        InputRules.checkKey(key, "key filter");
        if (commands.isClosed()) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the ledger is shutting down");
        }
        WatchCursor cursor = new WatchCursor(contextId, key, Math.max(0, fromSequence), sink, store, watchExecutor,
            fanOut);
        if (fanOut.subscribe(cursor)) {
            cursor.signal(); // replays what is stored now, without waiting for the ring
        } else {
            cursor.close();
        }
        return cursor;
    }

    /**
     * Stops taking commands, finishes every command already in the ring, ends every watch
     * (after it delivered what its sink was ready for) and waits for every thread it started
     * to end. Idempotent; waits at most about 10 seconds.
     */
    @Override
    public void close() {
        if (!commands.close()) {
            return;
        }
        watchExecutor.shutdown();
        watchThreads.join(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        if (flusher != null) {
            flusher.close();
        }
        records.close();
    }
}
