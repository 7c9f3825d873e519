package io.converge.ledger.core;

import io.converge.ledger.core.Callbacks.AppendFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.appendAsync;
import static io.converge.ledger.core.Callbacks.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchCursorTest extends Ledgers {

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static List<AppendFuture> appendMany(Ledger ledger, String contextId, int n) {
        List<AppendFuture> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(appendAsync(ledger, contextId, "", new byte[0], Map.of()));
        }
        return futures;
    }

    private static void awaitAll(List<AppendFuture> futures) {
        futures.forEach(AppendFuture::await);
    }

    // ---- through Ledger.watch, with the real ring and watch threads

    /**
     * The subscription lands while another thread is appending: the replayed entries and the
     * live ones must join with no gap and no duplicate, wherever the boundary falls.
     */
    @ParameterizedTest(name = "subscribing after {0} appends were issued")
    @ValueSource(ints = {1, 1_000, 2_500, 4_999})
    void replayThenLiveHasNoGapAndNoDuplicateWhenAppendsRaceTheSubscription(int subscribeAfter) throws Exception {
        Ledger ledger = start();
        int total = 5_000;
        CountDownLatch midway = new CountDownLatch(1);
        List<AppendFuture> futures = new ArrayList<>(total);
        Thread appender = new Thread(() -> {
            for (int i = 1; i <= total; i++) {
                futures.add(appendAsync(ledger, "c", "k" + i % 4, Bytes.utf8("p" + i), Map.of()));
                if (i == subscribeAfter) {
                    midway.countDown();
                }
            }
        }, "racing-appender");
        appender.setDaemon(true);
        appender.start();
        assertTrue(midway.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));

        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("c", "", 0, sink);

        appender.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertFalse(appender.isAlive());
        List<Entry> got = sink.awaitEntries(total);
        assertEquals(range(1, total), got.stream().map(Entry::sequence).toList());
        for (Entry e : got) {
            assertArrayEquals(Bytes.utf8("p" + e.sequence()), e.payloadBytes());
            assertEquals("k" + e.sequence() % 4, e.key());
        }
        awaitAll(futures);
        assertEquals(total, sink.size(), "no entry delivered twice");
        assertEquals(List.of(), sink.violations());
    }

    @Test
    void aKeyFilterDeliversOnlyEntriesWithThatKeyStoredAndLive() {
        Ledger ledger = start();
        for (int i = 1; i <= 100; i++) {
            appendAsync(ledger, "c", i % 2 == 1 ? "a" : "b", new byte[0], Map.of());
        }
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("c", "a", 0, sink);
        List<AppendFuture> live = new ArrayList<>();
        for (int i = 101; i <= 110; i++) {
            live.add(appendAsync(ledger, "c", i % 2 == 1 ? "a" : "b", new byte[0], Map.of()));
        }
        awaitAll(live);
        List<Entry> got = sink.awaitEntries(55);
        assertEquals(LongStream.iterate(1, s -> s <= 109, s -> s + 2).boxed().toList(),
            got.stream().map(Entry::sequence).toList());
        assertTrue(got.stream().allMatch(e -> e.key().equals("a")));
        append(ledger, "c", "b", "barrier");
        append(ledger, "c", "a", "last");
        assertEquals(112, sink.awaitEntries(56).get(55).sequence());
        assertEquals(56, sink.size());
    }

    @Test
    void aWatchStartsAfterFromSequence() {
        Ledger ledger = start();
        awaitAll(appendMany(ledger, "c", 10));
        RecordingSink afterSeven = RecordingSink.unlimited();
        RecordingSink afterTwenty = RecordingSink.unlimited();
        ledger.watch("c", "", 7, afterSeven);
        ledger.watch("c", "", 20, afterTwenty);

        assertEquals(range(8, 10), afterSeven.awaitEntries(3).stream().map(Entry::sequence).toList());
        awaitAll(appendMany(ledger, "c", 11));
        assertEquals(range(8, 21), afterSeven.awaitEntries(14).stream().map(Entry::sequence).toList());
        assertEquals(List.of(21L), afterTwenty.awaitEntries(1).stream().map(Entry::sequence).toList(),
            "nothing at or before from_sequence");
    }

    @Test
    void aWatchOnAnUnknownContextWaitsForItsFirstEntry() {
        Ledger ledger = start();
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("later", "", 0, sink);
        append(ledger, "other", "", "not for this watch");
        assertEquals(1, ledger.stats().watchersOpen(), "registered and waiting");
        assertEquals(0, sink.size());

        append(ledger, "later", "k", "first");
        Entry first = sink.awaitEntries(1).get(0);
        assertEquals(1, first.sequence());
        assertEquals("k", first.key());
        assertArrayEquals(Bytes.utf8("first"), first.payloadBytes());
    }

    @Test
    void twoWatchersBothGetEverything() {
        Ledger ledger = start();
        RecordingSink one = RecordingSink.unlimited();
        RecordingSink two = RecordingSink.unlimited();
        ledger.watch("c", "", 0, one);
        awaitAll(appendMany(ledger, "c", 500));
        ledger.watch("c", "", 0, two);
        awaitAll(appendMany(ledger, "c", 500));
        assertEquals(range(1, 1_000), one.awaitEntries(1_000).stream().map(Entry::sequence).toList());
        assertEquals(range(1, 1_000), two.awaitEntries(1_000).stream().map(Entry::sequence).toList());
        assertEquals(List.of(), one.violations());
        assertEquals(List.of(), two.violations());
    }

    /**
     * The paused watcher never gets an entry while not ready; appends through a small ring
     * and the other watcher go on regardless; after resume it gets everything in order.
     */
    @Test
    void aPausedWatcherBlocksNeitherAppendsNorOtherWatchersAndCatchesUpAfterResume() {
        Ledger ledger = start(LedgerConfig.defaults().withRingSize(64)
            .withRingFullWaitNanos(TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS)));
        RecordingSink paused = RecordingSink.withCredits(0);
        RecordingSink flowing = RecordingSink.unlimited();
        WatchSubscription pausedWatch = ledger.watch("c", "", 0, paused);
        ledger.watch("c", "", 0, flowing);

        int total = 5_000; // many times the ring
        awaitAll(appendMany(ledger, "c", total));
        assertEquals(range(1, total), flowing.awaitEntries(total).stream().map(Entry::sequence).toList());
        assertEquals(0, paused.size());

        paused.grant(10);
        pausedWatch.resume();
        assertEquals(range(1, 10), paused.awaitEntries(10).stream().map(Entry::sequence).toList());

        paused.grant(total - 10);
        pausedWatch.resume();
        assertEquals(range(1, total), paused.awaitEntries(total).stream().map(Entry::sequence).toList());
        assertEquals(List.of(), paused.violations(), "never called while not ready");
    }

    /** Issue 10: a stalled watcher leaves the signal list, so appends do not wake it; resume brings it back. */
    @Test
    void aStalledWatcherIsNotWokenPerAppendAndRejoinsTheSignalsOnResume() {
        Ledger ledger = start();
        RecordingSink stalled = RecordingSink.withCredits(1);
        RecordingSink flowing = RecordingSink.unlimited();
        WatchSubscription stalledWatch = ledger.watch("c", "", 0, stalled);
        ledger.watch("c", "", 0, flowing);
        awaitAll(appendMany(ledger, "c", 2));
        flowing.awaitEntries(2);
        stalled.awaitEntries(1);

        long checksOnceStalled = awaitSteady(stalled);
        int total = 2_000;
        for (int i = 0; i < total; i++) {
            append(ledger, "c", "", "one batch each");
        }
        flowing.awaitEntries(total + 2);
        assertTrue(stalled.readinessChecks() - checksOnceStalled <= 2, (stalled.readinessChecks() - checksOnceStalled)
            + " readiness checks of a stalled watch over " + total + " appends, each its own ring batch");

        stalled.grant(total + 4);
        stalledWatch.resume();
        assertEquals(range(1, total + 2), stalled.awaitEntries(total + 2).stream().map(Entry::sequence).toList());
        awaitAll(appendMany(ledger, "c", 3));
        assertEquals(range(1, total + 5), stalled.awaitEntries(total + 5).stream().map(Entry::sequence).toList(),
            "caught up, it is signalled for new entries again");
        assertEquals(List.of(), stalled.violations());
    }

    private static long awaitSteady(RecordingSink sink) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        long seen = sink.readinessChecks();
        while (System.nanoTime() - deadline < 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            long now = sink.readinessChecks();
            if (now == seen) {
                return now;
            }
            seen = now;
        }
        throw new AssertionError("the stalled watch kept being checked");
    }

    /** A sink that refuses an offer (a budget spent) gets it again, once, after resume: no gap, no duplicate. */
    @Test
    void aRefusedOfferParksTheCursorAndIsOfferedAgainAfterResume() {
        ContextStore store = storeWith("c", "a", "b", "c");
        List<Long> got = new ArrayList<>();
        AtomicInteger refusals = new AtomicInteger(1);
        WatchSink sink = new WatchSink() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public boolean offer(ContextLog log, long sequence) {
                if (sequence == 2 && refusals.getAndDecrement() > 0) {
                    return false;
                }
                got.add(sequence);
                return true;
            }

            @Override
            public void onClosed() {
            }
        };
        WatchCursor cursor = new WatchCursor("c", "", 0, sink, store, Runnable::run, new WatchFanOut(new LedgerStats()));
        cursor.signal();
        assertEquals(List.of(1L), got);
        assertTrue(cursor.isParked());
        cursor.resume();
        assertEquals(List.of(1L, 2L, 3L), got);
        assertFalse(cursor.isParked(), "caught up: back in the signal list");
    }

    /** A fault while delivering (even an Error) ends that watch through onFailed, once, and frees it. */
    @Test
    void anErrorInASinkEndsItsWatchThroughOnFailedAndTheWatchThreadGoesOn() {
        Ledger ledger = start(LedgerConfig.defaults().withWatchThreads(1));
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        WatchSink failing = new WatchSink() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public boolean offer(ContextLog log, long sequence) {
                throw new OutOfMemoryError("test: no room for the message");
            }

            @Override
            public void onClosed() {
                failures.add(new AssertionError("onClosed instead of onFailed"));
            }

            @Override
            public void onFailed(Throwable cause) {
                failures.add(cause);
            }
        };
        ledger.watch("c", "", 0, failing);
        RecordingSink other = RecordingSink.unlimited();
        ledger.watch("c", "", 0, other);
        awaitAll(appendMany(ledger, "c", 5));
        assertEquals(5, other.awaitEntries(5).size(), "the one watch thread lives on");
        append(ledger, "c", "", "sixth");
        other.awaitEntries(6);
        assertEquals(1, failures.size());
        assertTrue(failures.get(0) instanceof OutOfMemoryError);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (ledger.stats().watchersOpen() != 1 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        assertEquals(1, ledger.stats().watchersOpen(), "the failed watch was freed");
    }

    @Test
    void cancelRemovesTheWatchAndNothingMoreIsDelivered() {
        // One watch thread: drains run in signal order, so the other watcher is a barrier.
        Ledger ledger = start(LedgerConfig.defaults().withWatchThreads(1));
        RecordingSink cancelled = RecordingSink.unlimited();
        RecordingSink other = RecordingSink.unlimited();
        WatchSubscription watch = ledger.watch("c", "", 0, cancelled);
        ledger.watch("c", "", 0, other);
        awaitAll(appendMany(ledger, "c", 10));
        cancelled.awaitEntries(10);
        assertEquals(2, ledger.stats().watchersOpen());

        watch.cancel();
        watch.cancel(); // idempotent
        // A command published after the cancellation completes after it.
        append(ledger, "c", "", "after cancel");
        assertEquals(1, ledger.stats().watchersOpen());

        awaitAll(appendMany(ledger, "c", 10));
        other.awaitEntries(21);
        assertEquals(10, cancelled.size(), "entries delivered after cancel()");
        assertEquals(0, cancelled.closedCalls(), "a cancelled watch is not closed by the ledger");
    }

    @Test
    void cancellingEveryWatchBringsOpenWatchersToZeroEvenBeforeRegistration() {
        Ledger ledger = start();
        WatchSubscription registered = ledger.watch("c", "", 0, RecordingSink.unlimited());
        append(ledger, "c", "", "barrier");
        assertEquals(1, ledger.stats().watchersOpen());
        WatchSubscription racing = ledger.watch("c", "", 0, RecordingSink.unlimited());
        racing.cancel(); // possibly before the ring registered it
        registered.cancel();
        append(ledger, "c", "", "barrier");
        assertEquals(0, ledger.stats().watchersOpen());
    }

    @Test
    void aSinkThatThrowsEndsOnlyItsOwnWatch() {
        Ledger ledger = start(LedgerConfig.defaults().withWatchThreads(1));
        AtomicInteger calls = new AtomicInteger();
        WatchSink failing = new WatchSink() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public boolean offer(ContextLog log, long sequence) {
                onEntry(log.entry(sequence));
                return true;
            }

            void onEntry(Entry entry) {
                if (calls.incrementAndGet() == 3) {
                    throw new IllegalStateException("test: the stream broke");
                }
            }

            @Override
            public void onClosed() {
            }
        };
        ledger.watch("c", "", 0, failing);
        RecordingSink other = RecordingSink.unlimited();
        ledger.watch("c", "", 0, other);
        awaitAll(appendMany(ledger, "c", 5));
        other.awaitEntries(5);
        append(ledger, "c", "", "sixth");
        // The broken watch removes itself through the ring from its watch thread: wait for that, bounded.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (ledger.stats().watchersOpen() != 1 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        assertEquals(1, ledger.stats().watchersOpen(), "the broken watch ended, the other did not");
        assertEquals(3, calls.get(), "the broken sink got nothing after it threw");
        awaitAll(appendMany(ledger, "c", 5));
        assertEquals(range(1, 11), other.awaitEntries(11).stream().map(Entry::sequence).toList());
    }

    @Test
    void closeEndsEveryWatchThroughOnClosedAfterDeliveringWhatIsStored() {
        Ledger ledger = start();
        awaitAll(appendMany(ledger, "c", 100));
        RecordingSink flowing = RecordingSink.unlimited();
        RecordingSink paused = RecordingSink.withCredits(0);
        RecordingSink waiting = RecordingSink.unlimited();
        ledger.watch("c", "", 0, flowing);
        ledger.watch("c", "", 0, paused);
        ledger.watch("unknown", "", 0, waiting);

        ledger.close();

        for (RecordingSink sink : List.of(flowing, paused, waiting)) {
            sink.awaitClosed();
            assertEquals(1, sink.closedCalls());
            assertEquals(List.of(), sink.violations());
        }
        assertEquals(100, flowing.size(), "what was stored and the sink was ready for is delivered first");
        assertEquals(0, paused.size());
        assertEquals(0, waiting.size());
        assertEquals(0, ledger.stats().watchersOpen());
    }

    @Test
    void watchersOfALoadTargetSeeTheRestoredEntries() {
        Ledger ledger = start();
        for (int i = 1; i <= 5; i++) {
            append(ledger, "src", "k" + i, "p" + i);
        }
        byte[] blob = ledger.snapshot("src").blob();
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("dst", "", 0, sink);

        load(ledger, "dst", blob, false);
        append(ledger, "dst", "k6", "p6");

        List<Entry> got = sink.awaitEntries(6);
        assertEquals(range(1, 6), got.stream().map(Entry::sequence).toList());
        for (Entry e : got) {
            assertEquals("k" + e.sequence(), e.key());
            assertArrayEquals(Bytes.utf8("p" + e.sequence()), e.payloadBytes());
        }
    }

    /**
     * The transport saturates a uint64 from_sequence at Long.MAX_VALUE: such a watch has
     * nothing to deliver, and must neither wrap around to deliver a bogus entry nor fail.
     */
    @Test
    void aWatchFromTheLargestSequenceDeliversNothingAndStaysOpen() {
        // One watch thread: drains run in signal order, so the second watcher is a barrier.
        Ledger ledger = start(LedgerConfig.defaults().withWatchThreads(1));
        awaitAll(appendMany(ledger, "c", 8_200)); // into the 11th chunk of the context's log
        RecordingSink fromMax = RecordingSink.unlimited();
        RecordingSink barrier = RecordingSink.unlimited();
        ledger.watch("c", "", Long.MAX_VALUE, fromMax);
        ledger.watch("c", "", 8_199, barrier);
        barrier.awaitEntries(1);
        append(ledger, "c", "", "live");
        barrier.awaitEntries(2);
        append(ledger, "c", "", "barrier");

        assertEquals(List.of(), fromMax.sequences());
        assertEquals(2, ledger.stats().watchersOpen(), "the watch from Long.MAX_VALUE must stay open");
    }

    @Test
    void aBadContextIdOrKeyFilterIsRefusedBeforeAnythingIsRegistered() {
        Ledger ledger = start();
        LedgerException badKey = assertThrows(LedgerException.class,
            () -> ledger.watch("c", "k".repeat(1025), 0, RecordingSink.unlimited()));
        assertEquals(LedgerException.Reason.INVALID_ARGUMENT, badKey.reason());
        assertTrue(badKey.getMessage().contains("key filter"), badKey.getMessage());
        LedgerException badId = assertThrows(LedgerException.class,
            () -> ledger.watch("", "", 0, RecordingSink.unlimited()));
        assertEquals(LedgerException.Reason.INVALID_ARGUMENT, badId.reason());
        append(ledger, "c", "", "barrier");
        assertEquals(0, ledger.stats().watchersOpen());
    }

    // ---- the cursor alone, drained synchronously on the calling thread

    private static ContextStore storeWith(String contextId, String... keys) {
        ContextStore store = TestLogs.newStore();
        ContextWriter log = store.getOrCreate(contextId);
        for (int i = 0; i < keys.length; i++) {
            TestLogs.write(log, 1, i, i, keys[i], new byte[0], Map.of());
        }
        log.publish();
        return store;
    }

    @Test
    void aCursorDeliversOnlyWhileTheSinkIsReadyAndResumesWhereItStopped() {
        ContextStore store = storeWith("c", "a", "b", "a", "a", "b", "a");
        RecordingSink sink = RecordingSink.withCredits(2);
        WatchCursor cursor = new WatchCursor("c", "a", 0, sink, store, Runnable::run, new WatchFanOut(new LedgerStats()));

        cursor.signal();
        assertEquals(List.of(1L, 3L), sink.sequences());
        cursor.resume();
        assertEquals(List.of(1L, 3L), sink.sequences(), "not ready: nothing more");
        sink.grant(10);
        cursor.resume();
        assertEquals(List.of(1L, 3L, 4L, 6L), sink.sequences());
        assertEquals(List.of(), sink.violations());
    }

    @Test
    void aSignalArrivingDuringADrainIsNotLost() {
        ContextStore store = storeWith("c", "x");
        ContextWriter log = store.getOrCreate("c");
        List<WatchCursor> self = new ArrayList<>();
        List<Long> got = new ArrayList<>();
        WatchSink sink = new WatchSink() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public boolean offer(ContextLog log, long sequence) {
                onEntry(log.entry(sequence));
                return true;
            }

            void onEntry(Entry entry) {
                got.add(entry.sequence());
                if (entry.sequence() < 3) {
                    // Mid-drain: the writer publishes a new entry and signals, as the fan-out would.
                    TestLogs.write(log, 1, 10 + entry.sequence(), 10, "x", new byte[0], Map.of());
                    log.publish();
                    self.get(0).signal();
                }
            }

            @Override
            public void onClosed() {
            }
        };
        WatchCursor cursor = new WatchCursor("c", "", 0, sink, store, Runnable::run, new WatchFanOut(new LedgerStats()));
        self.add(cursor);
        cursor.signal();
        assertEquals(List.of(1L, 2L, 3L), got);
    }

    @Test
    void cancelUnregistersOnceAndStopsDelivery() {
        ContextStore store = storeWith("c", "a");
        RecordingSink sink = RecordingSink.unlimited();
        LedgerStats stats = new LedgerStats();
        WatchCursor cursor = new WatchCursor("c", "", 0, sink, store, Runnable::run, new WatchFanOut(stats));
        cursor.signal();
        cursor.cancel();
        cursor.cancel();
        assertEquals(-1, stats.watchersOpen(), "unsubscribed once");
        assertTrue(cursor.isCancelled());

        TestLogs.write(store.getOrCreate("c"), 1, 2, 2, "a", new byte[0], Map.of());
        store.getOrCreate("c").publish();
        cursor.signal();
        cursor.close();
        assertEquals(List.of(1L), sink.sequences());
        assertEquals(0, sink.closedCalls());
    }

    @Test
    void closeDeliversWhatIsReadyThenCallsOnClosedOnce() {
        ContextStore store = storeWith("c", "a", "b");
        RecordingSink sink = RecordingSink.unlimited();
        WatchCursor cursor = new WatchCursor("c", "", 0, sink, store, Runnable::run, new WatchFanOut(new LedgerStats()));
        cursor.close();
        cursor.close();
        cursor.signal();
        assertEquals(List.of(1L, 2L), sink.sequences());
        assertEquals(1, sink.closedCalls());
        assertEquals(List.of(), sink.violations());
    }

    @Test
    void aCursorOnAContextCreatedAfterItFindsItOnTheNextSignal() {
        ContextStore store = TestLogs.newStore();
        RecordingSink sink = RecordingSink.unlimited();
        WatchCursor cursor = new WatchCursor("late", "", 0, sink, store, Runnable::run, new WatchFanOut(new LedgerStats()));
        cursor.signal();
        assertEquals(0, sink.size());
        ContextWriter log = store.getOrCreate("late");
        TestLogs.write(log, 1, 1, 1, "", new byte[0], Map.of());
        log.publish();
        cursor.signal();
        assertEquals(List.of(1L), sink.sequences());
    }

    @Test
    void aLongReplayYieldsItsThreadAfterEachTurnAndStillDeliversEverythingInOrder() {
        int backlog = 2 * WatchCursor.ENTRIES_PER_TURN + 10;
        String[] keys = new String[backlog];
        java.util.Arrays.fill(keys, "k");
        ContextStore store = storeWith("c", keys);
        RecordingSink sink = RecordingSink.unlimited();
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        WatchCursor cursor = new WatchCursor("c", "", 0, sink, store, queue::add, new WatchFanOut(new LedgerStats()));

        cursor.signal();
        assertEquals(1, queue.size());
        queue.poll().run();
        assertEquals(WatchCursor.ENTRIES_PER_TURN, sink.size(), "one turn delivers at most its budget");
        assertEquals(1, queue.size(), "and queues itself behind the others for the rest");
        cursor.signal();
        assertEquals(1, queue.size(), "a signal while queued schedules nothing more");
        while (!queue.isEmpty()) {
            queue.poll().run();
        }
        assertEquals(range(1, backlog), sink.sequences());
        assertEquals(List.of(), sink.violations());
    }

    @Test
    void aKeyFilterScanningALongHistoryAlsoYieldsAfterEachTurn() {
        int history = 3 * WatchCursor.ENTRIES_PER_TURN;
        String[] keys = new String[history];
        java.util.Arrays.fill(keys, "other");
        keys[history - 1] = "wanted";
        ContextStore store = storeWith("c", keys);
        RecordingSink sink = RecordingSink.unlimited();
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        WatchCursor cursor = new WatchCursor("c", "wanted", 0, sink, store, queue::add, new WatchFanOut(new LedgerStats()));

        cursor.signal();
        queue.poll().run();
        assertEquals(0, sink.size(), "the first turn only scanned");
        assertEquals(1, queue.size(), "and queued itself for the rest");
        while (!queue.isEmpty()) {
            queue.poll().run();
        }
        assertEquals(List.of((long) history), sink.sequences());
    }
}
