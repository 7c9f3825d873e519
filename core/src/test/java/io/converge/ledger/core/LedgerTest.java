package io.converge.ledger.core;

import io.converge.ledger.core.Callbacks.AppendFuture;
import io.converge.ledger.core.Callbacks.Appended;
import io.converge.ledger.core.Callbacks.LoadFuture;
import io.converge.ledger.core.Callbacks.Loaded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
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
import static io.converge.ledger.core.Callbacks.load;
import static io.converge.ledger.core.Callbacks.loadAsync;
import static io.converge.ledger.core.Callbacks.rejection;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class LedgerTest extends Ledgers {

    // ---- helpers

    /** Every entry of the context as of now. */
    private static List<Entry> entriesOf(Ledger ledger, String contextId) {
        ContextView view = ledger.view(contextId);
        List<Entry> entries = new ArrayList<>();
        for (long s = 1; s <= view.latestSequence(); s++) {
            entries.add(view.entry(s));
        }
        return entries;
    }

    /** An entry as a comparable string: every field, payload in hex, metadata sorted. */
    private static String describe(Entry e, boolean withId) {
        return (withId ? e.id() + " " : "") + e.sequence() + " " + e.key() + " " + HexFormat.of().formatHex(e.payloadBytes())
            + " " + e.appendedAtNs() + " " + new TreeMap<>(e.metadata());
    }

    private static List<String> describe(List<Entry> entries, boolean withIds) {
        return entries.stream().map(e -> describe(e, withIds)).toList();
    }

    /** Appends {@code n} entries with varied keys, payloads and metadata; returns them as stored. */
    private static List<Entry> fill(Ledger ledger, String contextId, int n) {
        for (int i = 1; i <= n; i++) {
            append(ledger, contextId, "k" + (i % 3), Bytes.utf8("payload " + i + " ü"),
                Map.of("i", Integer.toString(i), "名前", "値"));
        }
        return entriesOf(ledger, contextId);
    }

    private static void assertRejected(LedgerException e, LedgerException.Reason reason, String... mentions) {
        assertEquals(reason, e.reason(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention '" + m + "'");
        }
    }

    // ---- append

    @Test
    void sequencesStartAtOneAndHaveNoGapsUnderConcurrentAppenders() throws Exception {
        Ledger ledger = start();
        int threads = 8;
        int perThread = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<List<AppendFuture>> byThread = new ArrayList<>();
        try {
            List<Future<List<AppendFuture>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    go.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    List<AppendFuture> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(appendAsync(ledger, "shared", "t" + thread, Bytes.utf8(thread + ":" + i), Map.of()));
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (Future<List<AppendFuture>> f : submitted) {
                byThread.add(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        byThread.forEach(futures -> futures.forEach(AppendFuture::await));
        ContextView view = ledger.view("shared");
        Set<Long> sequences = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            long previous = 0;
            for (int i = 0; i < perThread; i++) {
                Appended a = byThread.get(t).get(i).await();
                assertTrue(a.sequence() > previous, "thread " + t + "'s sequences must increase: " + previous
                    + " then " + a.sequence());
                previous = a.sequence();
                assertTrue(a.sequence() >= 1 && a.sequence() <= threads * perThread, "sequence " + a.sequence());
                assertTrue(sequences.add(a.sequence()), "sequence " + a.sequence() + " given twice");
                assertTrue(ids.add(a.id()), "id " + a.id() + " given twice");
                Entry stored = view.entry(a.sequence());
                assertEquals("t" + t, stored.key());
                assertArrayEquals(Bytes.utf8(t + ":" + i), stored.payloadBytes());
                assertEquals(a.id(), stored.id());
                assertEquals(a.appendedAtNs(), stored.appendedAtNs());
            }
        }
        assertEquals(threads * perThread, sequences.size(), "every sequence 1..n exactly once");
        assertEquals(threads * perThread, view.latestSequence());
        assertEquals(threads * perThread, ledger.stats().entriesStored());
    }

    @ParameterizedTest
    @EnumSource(LedgerConfig.Wait.class)
    void everyWaitStrategyAnswersAppendsThatArriveOneByOneAndInBursts(LedgerConfig.Wait wait) throws Exception {
        Ledger ledger = start(LedgerConfig.defaults().withWaitStrategy(wait));
        // One by one, with pauses long enough for the consumers to yield or park in between.
        for (int i = 1; i <= 20; i++) {
            assertEquals(i, append(ledger, "slow", "", "p" + i).sequence());
            if (i % 5 == 0) {
                Thread.sleep(3);
            }
        }
        // A burst from two threads.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<AppendFuture>>> bursts = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                bursts.add(pool.submit(() -> {
                    List<AppendFuture> mine = new ArrayList<>();
                    for (int i = 0; i < 5_000; i++) {
                        mine.add(appendAsync(ledger, "burst", "", Bytes.utf8("b"), Map.of()));
                    }
                    return mine;
                }));
            }
            Set<Long> sequences = new HashSet<>();
            for (Future<List<AppendFuture>> burst : bursts) {
                for (AppendFuture f : burst.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    sequences.add(f.await().sequence());
                }
            }
            assertEquals(10_000, sequences.size());
            assertEquals(10_000, ledger.view("burst").latestSequence());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void appendedAtIsTakenBetweenTheCallAndItsAnswerEvenWhenAppendsArriveInBatches() throws Exception {
        Ledger ledger = start();
        for (int round = 0; round < 20; round++) {
            long before = EpochNanoClock.SYSTEM.getAsLong();
            List<AppendFuture> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(appendAsync(ledger, "ctx", "", Bytes.utf8("b"), Map.of()));
            }
            long lastAnswer = 0;
            for (AppendFuture f : batch) {
                long appendedAt = f.await().appendedAtNs();
                lastAnswer = EpochNanoClock.SYSTEM.getAsLong();
                assertTrue(appendedAt >= before, "appended_at " + appendedAt + " before the call at " + before);
                assertTrue(appendedAt <= lastAnswer, "appended_at " + appendedAt + " after its answer at " + lastAnswer);
            }
        }
    }

    @Test
    void appendedAtNeverDecreasesWithinAContextEvenWhenTheClockGoesBackwards() {
        long[] clock = {1_000, 900, 1_100, 500, 1_100, 1_200, 0, 1_300};
        AtomicInteger calls = new AtomicInteger();
        Ledger ledger = start(LedgerConfig.defaults()
            .withEpochNanos(() -> clock[Math.min(calls.getAndIncrement(), clock.length - 1)]));

        List<Long> appendedAt = new ArrayList<>();
        for (int i = 0; i < clock.length; i++) {
            Appended a = append(ledger, "c", "", "p" + i);
            assertEquals(a.appendedAtNs(), ledger.view("c").entry(a.sequence()).appendedAtNs());
            appendedAt.add(a.appendedAtNs());
        }
        // The clock's running maximum: a step back repeats the last time, a step forward is taken as is.
        assertEquals(List.of(1_000L, 1_000L, 1_100L, 1_100L, 1_100L, 1_200L, 1_200L, 1_300L), appendedAt);
    }

    @Test
    void appendedAtNeverDecreasesInAnyContextUnderConcurrentAppendersAndAJitteryClock() throws Exception {
        AtomicLong ticks = new AtomicLong();
        // Moves forward on the whole but jumps back by up to 7,000 ns every call.
        Ledger ledger = start(LedgerConfig.defaults().withEpochNanos(() -> {
            long t = ticks.incrementAndGet();
            return 1_000_000 + 3 * t - (t * 7919 % 7_000);
        }));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<AppendFuture>>> submitted = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    List<AppendFuture> mine = new ArrayList<>();
                    for (int i = 0; i < 1_000; i++) {
                        mine.add(appendAsync(ledger, "ctx-" + (i + thread) % 3, "", new byte[0], Map.of()));
                    }
                    return mine;
                }));
            }
            for (Future<List<AppendFuture>> f : submitted) {
                f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach(AppendFuture::await);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int c = 0; c < 3; c++) {
            List<Entry> entries = entriesOf(ledger, "ctx-" + c);
            assertTrue(entries.size() > 1_000, "context " + c + " got " + entries.size());
            for (int i = 1; i < entries.size(); i++) {
                assertTrue(entries.get(i).appendedAtNs() >= entries.get(i - 1).appendedAtNs(),
                    "ctx-" + c + " goes back in time at sequence " + entries.get(i).sequence());
            }
        }
    }

    @Test
    void idsAreUniqueAcrossContextsAndRenderedAsUuids() {
        Ledger ledger = start();
        List<AppendFuture> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            futures.add(appendAsync(ledger, "context-" + i % 50, "", new byte[0], Map.of()));
        }
        Set<String> ids = new HashSet<>();
        for (AppendFuture f : futures) {
            String id = f.await().id();
            assertEquals(id, UUID.fromString(id).toString(), "canonical 8-4-4-4-12 form");
            assertTrue(ids.add(id), "id " + id + " given twice");
        }
        for (int c = 0; c < 50; c++) {
            for (Entry e : entriesOf(ledger, "context-" + c)) {
                assertTrue(ids.contains(e.id()), "stored id " + e.id() + " was not reported");
            }
        }
        assertEquals(50, ledger.contextCount());
    }

    @Test
    void onceTheAppendCallbackFiredEveryReadSeesTheEntry() {
        Ledger ledger = start();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(500);
        for (int i = 0; i < 500; i++) {
            String key = "k" + i;
            ledger.append("c", key, Bytes.utf8("p" + i), Map.of(), new AppendCallback() {
                @Override
                public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
                    // Still on the completion thread: the entry must already be readable.
                    ContextView view = ledger.view("c");
                    if (view.latestSequence() < sequence) {
                        failures.add("latest " + view.latestSequence() + " < " + sequence);
                    } else {
                        Entry e = view.entry(sequence);
                        String id = EntryIds.format(idHi, idLo);
                        if (!e.key().equals(key) || !e.id().equals(id) || e.appendedAtNs() != appendedAtNs) {
                            failures.add("entry " + sequence + " is " + e);
                        }
                        seen.incrementAndGet();
                    }
                    done.countDown();
                }

                @Override
                public void onRejected(LedgerException reason) {
                    failures.add("rejected: " + reason.getMessage());
                    done.countDown();
                }
            });
        }
        assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> done.await());
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(500, seen.get());
        assertEquals(500, SnapshotCodec.decode(ledger.snapshot("c").blob()).size());
    }

    @Test
    void keyPayloadAndMetadataAreEchoedAsGiven() {
        Ledger ledger = start();
        Map<String, String> metadata = Map.of("", "", "名前", "値 🎉", "k", "v");
        Appended a = append(ledger, "контекст", "ключ-🔑", Bytes.ramp(256), metadata);
        Entry e = ledger.view("контекст").entry(a.sequence());
        assertEquals(1, e.sequence());
        assertEquals("ключ-🔑", e.key());
        assertArrayEquals(Bytes.ramp(256), e.payloadBytes());
        assertEquals(metadata, e.metadata());
        assertEquals(a.id(), e.id());
    }

    @Test
    void anAppendOfExactly4MiBIsStoredAndOneByteMoreIsRefusedBeforeEnteringTheRing() {
        Ledger ledger = start();
        assertEquals(1, append(ledger, "c", "", new byte[4_194_304], Map.of()).sequence());
        AppendFuture refused = new AppendFuture();
        LedgerException e = assertThrows(LedgerException.class,
            () -> ledger.append("c", "", new byte[4_194_305], Map.of(), refused));
        assertRejected(e, LedgerException.Reason.RESOURCE_EXHAUSTED, "payload", "4194304");
        assertEquals(2, append(ledger, "c", "", "next").sequence(), "the refused append left no gap");
        assertFalse(refused.isDone(), "a refused append never calls back");
    }

    @Test
    void refusedInputThrowsOnTheCallingThreadAndChangesNothing() {
        Ledger ledger = start();
        AppendFuture refused = new AppendFuture();
        assertRejected(assertThrows(LedgerException.class,
            () -> ledger.append("", "k", new byte[0], Map.of(), refused)),
            LedgerException.Reason.INVALID_ARGUMENT, "context_id");
        assertRejected(assertThrows(LedgerException.class,
            () -> ledger.append("c", "k".repeat(1025), new byte[0], Map.of(), refused)),
            LedgerException.Reason.INVALID_ARGUMENT, "key", "1025");
        assertRejected(assertThrows(LedgerException.class,
            () -> ledger.append("c", "k", new byte[0], Map.of("m", "v".repeat(65536)), refused)),
            LedgerException.Reason.INVALID_ARGUMENT, "metadata", "65537");
        assertRejected(assertThrows(LedgerException.class, () -> ledger.view("\uD800")),
            LedgerException.Reason.INVALID_ARGUMENT, "context_id", "UTF-8");
        assertRejected(assertThrows(LedgerException.class, () -> ledger.snapshot("")),
            LedgerException.Reason.INVALID_ARGUMENT, "context_id");

        append(ledger, "other", "", "barrier"); // completes after anything published before it
        assertFalse(refused.isDone(), "a refused append never calls back");
        assertEquals(0, ledger.view("c").latestSequence());
        assertEquals(1, ledger.contextCount());
        assertEquals(1, ledger.stats().entriesStored());
        assertEquals(1, ledger.stats().appendsStored());
    }

    // ---- reads

    @Test
    void viewOfAnUnknownContextIsEmptyWithLatestZeroAndCreatesNothing() {
        Ledger ledger = start();
        ContextView view = ledger.view("never-written");
        assertEquals(0, view.latestSequence());
        assertEquals(0, view.nextMatching("", 0));
        assertEquals(0, view.nextMatching("k", 0));
        assertThrows(IndexOutOfBoundsException.class, () -> view.entry(1));
        assertEquals(0, ledger.contextCount());
    }

    @Test
    void aViewIsConsistentAsOfWhenItWasTaken() {
        Ledger ledger = start();
        append(ledger, "c", "", "one");
        ContextView before = ledger.view("c");
        append(ledger, "c", "", "two");
        assertEquals(1, before.latestSequence());
        assertEquals(0, before.nextMatching("", 1), "entry 2 is after the view");
        assertThrows(IndexOutOfBoundsException.class, () -> before.entry(2));
        assertThrows(IndexOutOfBoundsException.class, () -> before.entry(0));
        assertEquals(2, ledger.view("c").latestSequence());
    }

    @Test
    void nextMatchingFindsTheNextEntryWithTheKeyOrAnyKeyWhenTheFilterIsEmpty() {
        Ledger ledger = start();
        for (String key : new String[] {"a", "b", "a", "", "c", "a"}) {
            append(ledger, "c", key, key);
        }
        ContextView view = ledger.view("c");
        assertEquals(1, view.nextMatching("a", 0));
        assertEquals(3, view.nextMatching("a", 1));
        assertEquals(6, view.nextMatching("a", 3));
        assertEquals(0, view.nextMatching("a", 6));
        assertEquals(2, view.nextMatching("b", 0));
        assertEquals(0, view.nextMatching("b", 2));
        assertEquals(0, view.nextMatching("missing", 0));
        assertEquals(1, view.nextMatching("", 0));
        assertEquals(4, view.nextMatching("", 3), "an empty filter matches an entry with an empty key too");
        assertEquals(5, view.nextMatching("", 4));
        assertEquals(0, view.nextMatching("", 6));
        assertEquals(0, view.nextMatching("", -1), "nothing matches after a negative (huge unsigned) sequence");
    }

    /**
     * A client's after_sequence is a uint64, which the transport saturates at
     * Long.MAX_VALUE; the scan must not wrap around past it.
     */
    @Test
    void nextMatchingAfterTheLargestSequenceFindsNothing() {
        Ledger ledger = start();
        for (int i = 0; i < 20; i++) {
            append(ledger, "c", "k", "p");
        }
        ContextView view = ledger.view("c");
        assertEquals(0, view.nextMatching("", Long.MAX_VALUE));
        assertEquals(0, view.nextMatching("k", Long.MAX_VALUE));
        assertEquals(0, view.nextMatching("", 20));
        assertEquals(0, view.nextMatching("k", 1_000_000));
    }

    // ---- snapshot

    @Test
    void snapshotOfAnUnknownContextIsAValidBlobOfZeroEntries() {
        Ledger ledger = start(LedgerConfig.defaults().withEpochNanos(() -> 777L));
        SnapshotResult snapshot = ledger.snapshot("nobody");
        assertEquals(0, snapshot.sequence());
        assertEquals(0, snapshot.entryCount());
        assertEquals(SnapshotCodec.VERSION, snapshot.version());
        assertEquals(777L, snapshot.createdAtNs());

        DecodedSnapshot decoded = SnapshotCodec.decode(snapshot.blob());
        assertEquals(0, decoded.size());
        assertEquals(0, decoded.latestSequence());
        assertEquals("nobody", decoded.contextId());
        assertEquals(777L, decoded.createdAtNs());
        assertEquals(0, ledger.contextCount(), "a snapshot creates nothing");
    }

    @Test
    void snapshotHoldsEveryEntryWithAllItsFields() {
        AtomicLong clock = new AtomicLong(5_000);
        Ledger ledger = start(LedgerConfig.defaults().withEpochNanos(clock::incrementAndGet));
        List<Entry> stored = fill(ledger, "c", 7);

        SnapshotResult snapshot = ledger.snapshot("c");
        assertEquals(7, snapshot.sequence());
        assertEquals(7, snapshot.entryCount());
        assertEquals(5_008L, snapshot.createdAtNs());

        DecodedSnapshot decoded = SnapshotCodec.decode(snapshot.blob());
        assertEquals("c", decoded.contextId());
        assertEquals(1, decoded.firstSequence());
        assertEquals(7, decoded.latestSequence());
        for (int i = 0; i < 7; i++) {
            Entry e = stored.get(i);
            assertEquals(e.id(), EntryIds.format(decoded.idHi(i), decoded.idLo(i)));
            assertEquals(e.key(), decoded.key(i));
            assertArrayEquals(e.payloadBytes(), decoded.payload(i));
            assertEquals(e.appendedAtNs(), decoded.appendedAtNs(i));
            assertEquals(e.metadata(), decoded.metadata(i));
        }
    }

    // ---- load

    @Test
    void loadIntoAnEmptyContextOfTheSameIdKeepsEveryFieldIncludingIds() {
        Ledger source = start();
        List<Entry> original = fill(source, "ctx", 5);
        byte[] blob = source.snapshot("ctx").blob();

        Ledger target = start();
        Loaded loaded = load(target, "ctx", blob, false);

        assertEquals(new Loaded(5, 5), loaded);
        assertEquals(describe(original, true), describe(entriesOf(target, "ctx"), true));
        assertEquals(5, target.stats().entriesStored());
        assertEquals(0, target.stats().appendsStored(), "a Load is not an append");
        Appended next = append(target, "ctx", "", "after");
        assertEquals(6, next.sequence(), "appends continue at latest + 1");
        assertFalse(original.stream().anyMatch(e -> e.id().equals(next.id())));
    }

    @Test
    void loadIntoAnotherContextGivesFreshIdsAndKeepsEverythingElse() {
        Ledger ledger = start();
        List<Entry> original = fill(ledger, "src", 5);
        byte[] blob = ledger.snapshot("src").blob();

        Loaded loaded = load(ledger, "copy", blob, true);

        assertEquals(new Loaded(5, 5), loaded);
        List<Entry> copy = entriesOf(ledger, "copy");
        assertEquals(describe(original, false), describe(copy, false));
        Set<String> ids = new HashSet<>();
        original.forEach(e -> ids.add(e.id()));
        for (Entry e : copy) {
            assertTrue(ids.add(e.id()), "id " + e.id() + " of the copy is not fresh");
        }
        assertEquals(describe(original, true), describe(entriesOf(ledger, "src"), true), "the source is untouched");
        assertEquals(6, append(ledger, "copy", "", "after").sequence());
    }

    @Test
    void loadWithFailIfExistsIntoANonEmptyContextIsAlreadyExistsAndChangesNothing() {
        Ledger ledger = start();
        fill(ledger, "src", 3);
        byte[] blob = ledger.snapshot("src").blob();
        List<Entry> before = fill(ledger, "dst", 2);

        LedgerException e = rejection(loadAsync(ledger, "dst", blob, true));

        assertRejected(e, LedgerException.Reason.ALREADY_EXISTS, "dst");
        assertEquals(describe(before, true), describe(entriesOf(ledger, "dst"), true));
        assertEquals(5, ledger.stats().entriesStored());
        assertEquals(3, append(ledger, "dst", "", "after").sequence());
    }

    @Test
    void loadIntoANonEmptyContextSkipsTheEntriesItHasAndAppendsTheRest() {
        Ledger ledger = start();
        List<Entry> source = fill(ledger, "src", 5);
        byte[] blob = ledger.snapshot("src").blob();
        append(ledger, "dst", "d1", "own 1");
        append(ledger, "dst", "d2", "own 2");
        List<Entry> own = entriesOf(ledger, "dst");

        Loaded loaded = load(ledger, "dst", blob, false);

        assertEquals(new Loaded(3, 5), loaded);
        List<Entry> after = entriesOf(ledger, "dst");
        assertEquals(5, after.size());
        assertEquals(describe(own, true), describe(after.subList(0, 2), true), "entries 1..2 stay the target's own");
        for (int i = 2; i < 5; i++) {
            Entry restored = after.get(i);
            Entry from = source.get(i);
            assertEquals(from.sequence(), restored.sequence());
            assertEquals(from.key(), restored.key());
            assertArrayEquals(from.payloadBytes(), restored.payloadBytes());
            assertEquals(from.metadata(), restored.metadata());
            assertNotEquals(from.id(), restored.id(), "another context: fresh ids");
            assertTrue(restored.appendedAtNs() >= after.get(i - 1).appendedAtNs(), "appended_at never decreases");
        }

        assertEquals(new Loaded(0, 5), load(ledger, "dst", blob, false), "loading it again restores nothing");
        assertEquals(5, ledger.view("dst").latestSequence());
        assertEquals(6, append(ledger, "dst", "", "after").sequence());
    }

    @Test
    void loadOfEntriesThatWouldLeaveAGapIsFailedPreconditionAndChangesNothing() {
        Ledger ledger = start();
        TestEntries fromFive = new TestEntries(5)
            .add(9L, 1L, 100L, "five", Bytes.utf8("5"), Map.of())
            .add(9L, 2L, 101L, "six", Bytes.utf8("6"), Map.of("m", "6"))
            .add(9L, 3L, 102L, "seven", Bytes.utf8("7"), Map.of());
        byte[] blob = SnapshotCodec.encode("elsewhere", 1L, fromFive);

        assertRejected(rejection(loadAsync(ledger, "empty", blob, false)),
            LedgerException.Reason.FAILED_PRECONDITION, "5", "1", "gap");
        assertEquals(0, ledger.view("empty").latestSequence());
        assertEquals(0, ledger.contextCount(), "nothing was created");

        List<Entry> two = fill(ledger, "two", 2);
        assertRejected(rejection(loadAsync(ledger, "two", blob, false)),
            LedgerException.Reason.FAILED_PRECONDITION, "5", "3", "gap");
        assertEquals(describe(two, true), describe(entriesOf(ledger, "two"), true));
        assertEquals(2, ledger.stats().entriesStored());

        fill(ledger, "four", 4);
        assertEquals(new Loaded(3, 7), load(ledger, "four", blob, false), "5..7 continue 1..4 without a gap");
        assertEquals("six", ledger.view("four").entry(6).key());
        assertEquals(Map.of("m", "6"), ledger.view("four").entry(6).metadata());

        fill(ledger, "six", 6);
        assertEquals(new Loaded(1, 7), load(ledger, "six", blob, false), "5 and 6 are skipped");
        assertEquals("seven", ledger.view("six").entry(7).key());
    }

    @Test
    void loadOfAnEmptySnapshotRestoresNothingAndCreatesNothing() {
        Ledger ledger = start();
        byte[] empty = ledger.snapshot("nobody").blob();
        assertEquals(new Loaded(0, 0), load(ledger, "target", empty, true));
        assertEquals(0, ledger.contextCount());
        fill(ledger, "full", 3);
        assertEquals(new Loaded(0, 3), load(ledger, "full", empty, false));
    }

    @Test
    void loadOfAnEmptyCorruptOrFutureBlobThrowsInvalidArgumentAndChangesNothing() {
        Ledger ledger = start();
        fill(ledger, "c", 2);
        byte[] good = ledger.snapshot("c").blob();
        byte[] corrupt = good.clone();
        corrupt[corrupt.length / 2] ^= 0x10;
        byte[] future = good.clone();
        java.nio.ByteBuffer.wrap(future).putInt(4, 2);
        LoadFuture never = new LoadFuture();

        assertRejected(assertThrows(LedgerException.class, () -> ledger.load("d", new byte[0], false, never)),
            LedgerException.Reason.INVALID_ARGUMENT, "empty");
        assertRejected(assertThrows(LedgerException.class, () -> ledger.load("d", corrupt, false, never)),
            LedgerException.Reason.INVALID_ARGUMENT);
        assertRejected(assertThrows(LedgerException.class,
            () -> ledger.load("d", BlobWriter.recomputeCrc(future), false, never)),
            LedgerException.Reason.INVALID_ARGUMENT, "version 2");
        assertRejected(assertThrows(LedgerException.class, () -> ledger.load("", good, false, never)),
            LedgerException.Reason.INVALID_ARGUMENT, "context_id");

        append(ledger, "c", "", "barrier");
        assertFalse(never.isDone());
        assertEquals(0, ledger.view("d").latestSequence());
        assertEquals(3, ledger.stats().entriesStored());
    }

    // ---- limits and lifecycle

    @Test
    void theMemoryBudgetRefusesAppendsAndLoadsBeyondItAndKeepsWhatIsStored() {
        Ledger ledger = start(LedgerConfig.defaults().withMemoryBudgetBytes(2_000));
        long firstCost = MemoryBudget.INDEX_BYTES_PER_ENTRY + EntryRecord.size(1, 1, 0, 1_000)
            + MemoryBudget.ofContext("c"); // the entry (its index slot and, in memory, its record), and its new context
        Appended first = append(ledger, "c", "k", new byte[1_000], Map.of());

        LedgerException e = rejection(appendAsync(ledger, "c", "k", new byte[1_000], Map.of()));

        assertRejected(e, LedgerException.Reason.RESOURCE_EXHAUSTED, "memory budget", "2000");
        assertEquals(1, ledger.view("c").latestSequence());
        assertEquals(1_000, ledger.view("c").entry(1).payload().remaining());
        assertEquals(first.id(), ledger.view("c").entry(1).id());
        assertEquals(1, ledger.stats().entriesStored());
        assertEquals(firstCost, ledger.stats().bytesStored());

        assertEquals(2, append(ledger, "c", "", "small").sequence(), "a small entry still fits, with no gap");

        byte[] blob = ledger.snapshot("c").blob();
        assertRejected(rejection(loadAsync(ledger, "copy", blob, false)),
            LedgerException.Reason.RESOURCE_EXHAUSTED, "memory budget");
        assertEquals(0, ledger.view("copy").latestSequence());
        assertEquals(2, ledger.stats().entriesStored());
    }

    @Test
    void appendThrowsResourceExhaustedWhenTheRingStaysFull() throws Exception {
        Ledger ledger = start(LedgerConfig.defaults().withRingSize(4)
            .withRingFullWaitNanos(TimeUnit.MILLISECONDS.toNanos(50)));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AppendFuture first = new AppendFuture();
        List<AppendFuture> queued = new ArrayList<>();
        try {
            // Breaks the "must not block" rule on purpose: it stalls the completion thread, so the ring fills.
            ledger.append("c", "", new byte[0], Map.of(), new AppendCallback() {
                @Override
                public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
                    entered.countDown();
                    try {
                        release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    first.onAppended(sequence, idHi, idLo, appendedAtNs);
                }

                @Override
                public void onRejected(LedgerException reason) {
                    first.onRejected(reason);
                }
            });
            assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));

            LedgerException full = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> {
                for (int i = 0; i < 16; i++) {
                    try {
                        queued.add(appendAsync(ledger, "c", "", new byte[0], Map.of()));
                    } catch (LedgerException e) {
                        return e;
                    }
                }
                return fail("16 appends fitted in a 4-slot ring behind a stalled completion");
            });

            assertRejected(full, LedgerException.Reason.RESOURCE_EXHAUSTED, "ring", "4 slots");
            assertTrue(queued.size() < 4, queued.size() + " appends queued behind the stalled one");
            assertEquals(0, ledger.ringRemainingCapacity());
            assertFalse(first.isDone());
        } finally {
            release.countDown();
        }
        assertEquals(1, first.await().sequence());
        for (int i = 0; i < queued.size(); i++) {
            assertEquals(i + 2, queued.get(i).await().sequence());
        }
        assertEquals(queued.size() + 2, append(ledger, "c", "", "after").sequence(),
            "the refused append left no gap");
    }

    @Test
    void closeFinishesEveryCommandAlreadyInTheRing() {
        Ledger ledger = start();
        List<AppendFuture> futures = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            futures.add(appendAsync(ledger, "c", "", new byte[0], Map.of()));
        }
        ledger.close();
        for (int i = 0; i < futures.size(); i++) {
            assertTrue(futures.get(i).isDone(), "append " + i + " not completed by close()");
            assertEquals(i + 1, futures.get(i).await().sequence());
        }
    }

    /**
     * A ledger closed before its ring threads are up must still run what is in the ring:
     * the callers are waiting for their callbacks.
     */
    @Test
    void closeRightAfterStartStillFinishesTheCommandsInTheRing() {
        for (int i = 0; i < 50; i++) {
            Ledger ledger = start(LedgerConfig.defaults().withRingSize(1024));
            AppendFuture appended = appendAsync(ledger, "c", "", new byte[0], Map.of());
            RecordingSink sink = RecordingSink.unlimited();
            ledger.watch("c", "", 0, sink);
            ledger.close();
            assertTrue(appended.isDone(), "round " + i + ": the append was dropped by close()");
            assertEquals(1, appended.await().sequence());
            sink.awaitClosed();
        }
    }

    @Test
    void closeEndsEveryThreadTheLedgerStarted() {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Ledger ledger = start(LedgerConfig.defaults().withWatchThreads(3));
        fill(ledger, "c", 3);
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("c", "", 0, sink);
        sink.awaitEntries(3);
        List<Thread> started = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !before.contains(t) && t.getName().startsWith("ledger-"))
            .toList();
        assertFalse(started.isEmpty(), "the ledger runs its ring and watch threads");

        ledger.close();
        assertEquals(List.of(), started.stream().filter(Thread::isAlive).map(Thread::getName).toList(),
            "threads still alive after close");
    }

    @Test
    void afterCloseEveryWriteAndWatchIsUnavailableButReadsStillWork() {
        Ledger ledger = start();
        fill(ledger, "c", 2);
        byte[] blob = ledger.snapshot("c").blob();
        ledger.close();
        ledger.close(); // idempotent

        AppendFuture append = new AppendFuture();
        assertRejected(assertThrows(LedgerException.class, () -> ledger.append("c", "", new byte[0], Map.of(), append)),
            LedgerException.Reason.UNAVAILABLE);
        assertRejected(assertThrows(LedgerException.class, () -> ledger.load("d", blob, false, new LoadFuture())),
            LedgerException.Reason.UNAVAILABLE);
        assertRejected(assertThrows(LedgerException.class, () -> ledger.watch("c", "", 0, RecordingSink.unlimited())),
            LedgerException.Reason.UNAVAILABLE);
        assertFalse(append.isDone());
        assertEquals(2, ledger.view("c").latestSequence());
        assertEquals(2, SnapshotCodec.decode(ledger.snapshot("c").blob()).size());
    }
}
