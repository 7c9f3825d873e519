package io.converge.ledger.core;

import io.converge.ledger.core.Callbacks.AppendFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.appendAsync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FsyncPolicyTest {
    private static final int SEGMENT = StorageConfig.MIN_SEGMENT_BYTES;

    @TempDir
    Path dir;

    private final List<Ledger> ledgers = new ArrayList<>();
    private final List<CountDownLatch> latches = new ArrayList<>();

    @AfterEach
    void closeLedgers() {
        latches.forEach(CountDownLatch::countDown); // a held force must not hold up close
        ledgers.forEach(Ledger::close);
    }

    private Ledger start(StorageConfig storage, RecordStore store) {
        Ledger ledger = Ledger.start(LedgerConfig.defaults().withStorage(storage), store);
        ledgers.add(ledger);
        return ledger;
    }

    private StorageConfig files(StorageConfig.Fsync fsync, long intervalNanos) {
        return StorageConfig.files(dir).withSegmentBytes(SEGMENT).withFsync(fsync, intervalNanos);
    }

    /** A store whose {@link #force} waits for {@link #release} (bounded) before it forces. */
    static final class HeldForce extends ForwardingRecordStore {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger forces = new AtomicInteger();

        HeldForce(RecordStore delegate) {
            super(delegate);
        }

        @Override
        public void force() {
            forces.incrementAndGet();
            entered.countDown();
            try {
                release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.force();
        }
    }

    /**
     * A store that notes, for the writer's claims, where each record ends, and for each force,
     * how far the records it covered reached: so an acknowledgement can check that the force
     * before it covered its record.
     */
    static final class CoverageStore extends ForwardingRecordStore {
        /** The end position of the n-th record claimed, at index n - 1. */
        final List<Long> recordEnds = Collections.synchronizedList(new ArrayList<>());
        private long lastEnd;
        private volatile long writtenEnd;
        private final AtomicLong forcedEnd = new AtomicLong();
        final AtomicInteger forces = new AtomicInteger();

        CoverageStore(RecordStore delegate) {
            super(delegate);
        }

        @Override
        public long claim(int size) {
            long position = super.claim(size);
            lastEnd = position + size; // the same segment: the offset is the low half
            recordEnds.add(lastEnd);
            return position;
        }

        @Override
        public void written() {
            super.written();
            writtenEnd = lastEnd; // after the store's own: a force that reads this covers it
        }

        @Override
        public void force() {
            long covers = writtenEnd;
            super.force();
            forcedEnd.accumulateAndGet(covers, Math::max);
            forces.incrementAndGet();
        }

        long forcedEnd() {
            return forcedEnd.get();
        }
    }

    // ---- always

    @Test
    void withFsyncAlwaysAnAppendIsAcknowledgedOnlyAfterTheForceThatCoversIt() throws Exception {
        HeldForce store = new HeldForce(files(StorageConfig.Fsync.ALWAYS, 1).open());
        latches.add(store.release);
        Ledger ledger = start(files(StorageConfig.Fsync.ALWAYS, 1), store);

        AppendFuture f = appendAsync(ledger, "c", "k", Bytes.utf8("durable"), Map.of());

        assertTrue(store.entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the journal forces the store");
        Thread.sleep(200);
        assertFalse(f.isDone(), "no acknowledgement while the force that covers the entry is held");
        assertEquals(0, ledger.stats().forces());
        store.release.countDown();
        assertEquals(1, f.await().sequence(), "acknowledged once the force is done");
        assertEquals(1, ledger.stats().forces());
    }

    @Test
    void withFsyncAlwaysEachAcknowledgedAppendOnItsOwnHadAForceOfItsOwn() {
        CoverageStore store = new CoverageStore(files(StorageConfig.Fsync.ALWAYS, 1).open());
        Ledger ledger = start(files(StorageConfig.Fsync.ALWAYS, 1), store);

        for (int i = 1; i <= 20; i++) {
            append(ledger, "c", "k", "entry " + i);
            assertTrue(ledger.stats().forces() >= i, "after " + i + " acknowledged appends, one at a time, "
                + ledger.stats().forces() + " forces");
            assertTrue(store.recordEnds.get(i - 1) <= store.forcedEnd(), "the force covered entry " + i);
        }
    }

    @Test
    void withFsyncAlwaysConcurrentAppendsShareForcesAndEachAckFollowsTheForceThatCoversIt() throws Exception {
        CoverageStore store = new CoverageStore(files(StorageConfig.Fsync.ALWAYS, 1).open());
        Ledger ledger = start(files(StorageConfig.Fsync.ALWAYS, 1), store);
        int threads = 4;
        int perThread = 500;
        AtomicInteger uncovered = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads * perThread);
        AppendCallback check = new AppendCallback() {
            @Override
            public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
                if (store.recordEnds.get((int) sequence - 1) > store.forcedEnd()) {
                    uncovered.incrementAndGet();
                }
                acked.incrementAndGet();
                done.countDown();
            }

            @Override
            public void onRejected(LedgerException reason) {
                done.countDown();
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        ledger.append("c", "t" + thread, Bytes.utf8(thread + ":" + i), Map.of(), check);
                    }
                }));
            }
            for (Future<?> s : submitted) {
                s.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            assertTrue(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "every append was answered");
        } finally {
            pool.shutdownNow();
        }

        assertEquals(threads * perThread, acked.get());
        assertEquals(0, uncovered.get(), "acknowledgements that came before the force covering their entry");
        long forces = ledger.stats().forces();
        assertTrue(forces >= 1 && forces <= acked.get(), forces + " forces for " + acked.get() + " acks");
        assertEquals(forces, store.forces.get(), "every force the journal counts went to the store");
    }

    // ---- interval, never, memory

    @Test
    void withFsyncIntervalAnAppendIsAcknowledgedWhileTheFlushersForceIsHeld() throws Exception {
        HeldForce store = new HeldForce(files(StorageConfig.Fsync.INTERVAL, TimeUnit.MILLISECONDS.toNanos(5)).open());
        latches.add(store.release);
        Ledger ledger = start(files(StorageConfig.Fsync.INTERVAL, TimeUnit.MILLISECONDS.toNanos(5)), store);

        assertTrue(store.entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the flusher forces every interval");
        assertEquals(1, append(ledger, "c", "k", "not waiting").sequence(), "acknowledged with the force still held");
        assertEquals(1, store.forces.get(), "the flusher is still in its first force");
        assertEquals(0, ledger.stats().forces(), "no journal: nothing forces on the write path");
        store.release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (store.forces.get() < 3) {
            assertTrue(System.nanoTime() < deadline, "the flusher goes on forcing every interval");
            Thread.sleep(5);
        }
    }

    @Test
    void withFsyncNeverNothingForcesWhileTheLedgerRuns() throws Exception {
        CoverageStore store = new CoverageStore(files(StorageConfig.Fsync.NEVER, 1).open());
        Ledger ledger = start(files(StorageConfig.Fsync.NEVER, 1), store);

        for (int i = 1; i <= 10; i++) {
            append(ledger, "c", "k", "entry " + i);
        }
        Thread.sleep(100);

        assertEquals(0, store.forces.get());
        assertEquals(0, ledger.stats().forces());
    }

    @Test
    void withMemoryStorageThereIsNoForceEvenWhenFsyncAlwaysIsAsked() throws Exception {
        StorageConfig memory = StorageConfig.memory().withSegmentBytes(SEGMENT)
            .withFsync(StorageConfig.Fsync.ALWAYS, 1);
        CoverageStore store = new CoverageStore(memory.open());
        Ledger ledger = start(memory, store);

        for (int i = 1; i <= 10; i++) {
            assertEquals(i, append(ledger, "c", "k", "entry " + i).sequence());
        }
        Thread.sleep(100);

        assertEquals(0, store.forces.get());
        assertEquals(0, ledger.stats().forces());
    }
}
