package io.converge.ledger.core;

import io.converge.ledger.core.TestBatch.BatchFuture;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.rejection;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchAppendTest extends Ledgers {

    private static void assertRejected(LedgerException e, LedgerException.Reason reason, String... mentions) {
        assertEquals(reason, e.reason(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention '" + m + "'");
        }
    }

    @Test
    void aBatchGivesTheEntriesOfEachContextConsecutiveSequencesInBatchOrder() {
        Ledger ledger = start();
        append(ledger, "b", "k", "before");
        TestBatch batch = new TestBatch().add("a", "a1").add("b", "b2").add("a", "a2").add("c", "c1").add("b", "b3");

        AppendedBatch acks = TestBatch.append(ledger, batch);

        assertEquals(5, acks.size());
        long[] expected = {1, 2, 2, 1, 3};
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], acks.sequence(i), "ack " + i);
            Entry stored = ledger.view(batch.contextId(i)).entry(acks.sequence(i));
            assertArrayEquals(batch.payload(i), stored.payloadBytes());
            assertEquals(EntryIds.format(acks.idHi(i), acks.idLo(i)), stored.id(), "ack " + i + " names the stored id");
            assertEquals(acks.appendedAtNs(i), stored.appendedAtNs());
        }
        assertEquals(3, ledger.view("b").latestSequence());
        assertEquals(6, ledger.stats().entriesStored());
    }

    @Test
    void batchedAndUnaryAppendsFromConcurrentCallersInterleaveIntoOneGapFreeOrder() throws Exception {
        Ledger ledger = start();
        int batches = 200;
        int perBatch = 10;
        int unary = 1_000;
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<Long>>> sequences = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                sequences.add(callers.submit(() -> {
                    List<BatchFuture> futures = new ArrayList<>();
                    for (int b = 0; b < batches; b++) {
                        TestBatch batch = new TestBatch();
                        for (int i = 0; i < perBatch; i++) {
                            batch.add("shared", "x");
                        }
                        futures.add(TestBatch.appendAsync(ledger, batch, null));
                    }
                    List<Long> seen = new ArrayList<>();
                    for (BatchFuture f : futures) {
                        AppendedBatch acks = f.await();
                        for (int i = 1; i < acks.size(); i++) {
                            assertEquals(acks.sequence(i - 1) + 1, acks.sequence(i), "a batch's sequences are consecutive");
                        }
                        for (int i = 0; i < acks.size(); i++) {
                            seen.add(acks.sequence(i));
                        }
                    }
                    return seen;
                }));
            }
            sequences.add(callers.submit(() -> {
                List<Callbacks.AppendFuture> futures = new ArrayList<>();
                for (int i = 0; i < unary; i++) {
                    futures.add(Callbacks.appendAsync(ledger, "shared", "u", new byte[1], Map.of()));
                }
                List<Long> seen = new ArrayList<>();
                for (Callbacks.AppendFuture f : futures) {
                    seen.add(f.await().sequence());
                }
                return seen;
            }));
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : sequences) {
                all.addAll(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            int total = 2 * batches * perBatch + unary;
            assertEquals(total, all.size(), "every sequence is distinct");
            assertEquals(total, ledger.view("shared").latestSequence());
            for (long s = 1; s <= total; s++) {
                assertTrue(all.contains(s), "sequence " + s + " was answered");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aBadEntryRefusesTheWholeBatchBeforeTheRingNamingItsIndex() {
        Ledger ledger = start();
        String longKey = "k".repeat(InputRules.MAX_KEY_BYTES + 1);
        String bigMetadata = "v".repeat(InputRules.MAX_METADATA_BYTES);
        List<Consumer<TestBatch>> badThirdEntries = List.of(
            b -> b.add("", "x"),
            b -> b.add("c", longKey, new byte[1], Map.of()),
            b -> b.add("c", "k", new byte[InputRules.MAX_PAYLOAD_BYTES + 1], Map.of()),
            b -> b.add("c", "k", new byte[1], Map.of("m", bigMetadata)));
        List<LedgerException.Reason> reasons = List.of(LedgerException.Reason.INVALID_ARGUMENT,
            LedgerException.Reason.INVALID_ARGUMENT, LedgerException.Reason.RESOURCE_EXHAUSTED,
            LedgerException.Reason.INVALID_ARGUMENT);
        List<String> mentions = List.of("context_id", "key", "payload", "metadata");
        for (int k = 0; k < badThirdEntries.size(); k++) {
            TestBatch batch = new TestBatch().add("c", "first").add("d", "second");
            badThirdEntries.get(k).accept(batch);
            batch.add("c", "fourth");
            BatchFuture callback = new BatchFuture();

            LedgerException e = assertThrows(LedgerException.class, () -> ledger.appendBatch(batch, null, callback));

            assertRejected(e, reasons.get(k), "entry 2: ", mentions.get(k));
            assertEquals(0, batch.payloadCalls(), "a refused batch's payloads are not even taken");
            assertTrue(!callback.isDone(), "the callback of a refused batch is never called");
        }
        assertEquals(0, ledger.contextCount());
        assertEquals(0, ledger.stats().entriesStored());
        assertEquals(LedgerConfig.DEFAULT_RING_SIZE, ledger.ringRemainingCapacity(), "nothing entered the ring");
    }

    @Test
    void aBatchOverTheEntryCapOrTheRingSizeIsRefusedNamingTheFirstEntryBeyondIt() {
        Ledger ledger = start();
        TestBatch tooMany = new TestBatch();
        for (int i = 0; i <= InputRules.MAX_BATCH_ENTRIES; i++) {
            tooMany.add("c", "x");
        }
        assertRejected(assertThrows(LedgerException.class, () -> ledger.appendBatch(tooMany, null, new BatchFuture())),
            LedgerException.Reason.RESOURCE_EXHAUSTED, "entry 8192: ", "at most 8192 entries", "8193");

        Ledger small = start(LedgerConfig.defaults().withRingSize(16));
        TestBatch overRing = new TestBatch();
        for (int i = 0; i < 17; i++) {
            overRing.add("c", "x");
        }
        assertRejected(assertThrows(LedgerException.class, () -> small.appendBatch(overRing, null, new BatchFuture())),
            LedgerException.Reason.RESOURCE_EXHAUSTED, "entry 16: ", "at most 16 entries");
        TestBatch fitsRing = new TestBatch();
        for (int i = 0; i < 16; i++) {
            fitsRing.add("c", "x");
        }
        assertEquals(16, TestBatch.append(small, fitsRing).sequence(15));
        assertEquals(0, ledger.contextCount());
    }

    @Test
    void aBatchBeyondTheMemoryBudgetIsRefusedWholeAndWhatIsStoredStaysReadable() {
        Ledger ledger = start(LedgerConfig.defaults().withMemoryBudgetBytes(3_000));
        append(ledger, "c", "k", "kept");
        TestBatch big = new TestBatch()
            .add("c", "k", new byte[1_000], Map.of())
            .add("d", "k", new byte[1_000], Map.of())
            .add("c", "k", new byte[1_000], Map.of());

        assertRejected(rejection(TestBatch.appendAsync(ledger, big, null)), LedgerException.Reason.RESOURCE_EXHAUSTED,
            "memory budget", "3000");

        assertEquals(1, ledger.view("c").latestSequence());
        assertArrayEquals(Bytes.utf8("kept"), ledger.view("c").entry(1).payloadBytes());
        assertEquals(0, ledger.view("d").latestSequence());
        assertEquals(1, ledger.stats().entriesStored());
        AppendedBatch fits = TestBatch.append(ledger, new TestBatch().add("d", "small").add("c", "small"));
        assertEquals(1, fits.sequence(0));
        assertEquals(2, fits.sequence(1), "the refused batch left no gap");
    }

    @Test
    void onceTheSequencerRefusesABatchOfAStreamItRefusesEveryLaterBatchOfThatStream() {
        Ledger ledger = start(LedgerConfig.defaults().withMemoryBudgetBytes(3_000));
        BatchStream stream = new BatchStream();
        BatchFuture first = TestBatch.appendAsync(ledger, new TestBatch().add("c", "one"), stream);
        BatchFuture tooBig = TestBatch.appendAsync(ledger,
            new TestBatch().add("c", "k", new byte[5_000], Map.of()), stream);
        BatchFuture small = TestBatch.appendAsync(ledger, new TestBatch().add("c", "two"), stream);

        assertEquals(1, first.await().sequence(0));
        assertRejected(rejection(tooBig), LedgerException.Reason.RESOURCE_EXHAUSTED, "memory budget");
        assertRejected(rejection(small), LedgerException.Reason.RESOURCE_EXHAUSTED,
            "an earlier batch on this stream was refused", "memory budget");
        assertEquals(1, ledger.view("c").latestSequence(), "nothing after the refusal was stored");

        assertEquals(2, TestBatch.appendAsync(ledger, new TestBatch().add("c", "two"), new BatchStream())
            .await().sequence(0), "another stream is not affected");
    }

    @Test
    void anEmptyBatchIsAnsweredWithNoAcksAfterEverythingPublishedBeforeIt() {
        Ledger ledger = start();
        BatchFuture before = TestBatch.appendAsync(ledger, new TestBatch().add("c", "x"), null);
        BatchFuture empty = TestBatch.appendAsync(ledger, new TestBatch(), null);

        assertEquals(0, empty.await().size());
        assertTrue(before.isDone(), "callbacks come in ring order");
        assertEquals(1, ledger.view("c").latestSequence());
    }

    @Test
    void watchersSeeEveryEntryOfABatch() throws Exception {
        Ledger ledger = start();
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("w", "", 0, sink);
        TestBatch batch = new TestBatch();
        for (int i = 0; i < 50; i++) {
            batch.add("w", "e" + i);
        }
        TestBatch.append(ledger, batch);

        List<Entry> seen = sink.awaitEntries(50);
        for (int i = 0; i < 50; i++) {
            assertEquals(i + 1, seen.get(i).sequence());
        }
    }

    @Test
    void aNewContextCountsAgainstTheBudgetOnceWhetherCreatedByAnAppendOrABatch() {
        Ledger ledger = start();
        append(ledger, "one", "k", "x");
        long afterOne = ledger.stats().bytesStored();
        append(ledger, "one", "k", "x");
        long entry = ledger.stats().bytesStored() - afterOne;
        long oneEntry = MemoryBudget.INDEX_BYTES_PER_ENTRY + EntryRecord.size(3, 1, 0, 1); // the index slot and the record
        assertEquals(oneEntry + MemoryBudget.ofContext("one"), afterOne, "the first entry brings its context");
        assertEquals(oneEntry, entry, "later entries cost only themselves");

        TestBatch.append(ledger, new TestBatch().add("two", "x").add("three", "x").add("two", "x"));
        assertEquals(afterOne + entry + 3 * entry + MemoryBudget.ofContext("two") + MemoryBudget.ofContext("three"),
            ledger.stats().bytesStored());
    }
}
