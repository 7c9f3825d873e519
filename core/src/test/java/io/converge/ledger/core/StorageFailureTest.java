package io.converge.ledger.core;

import io.converge.ledger.core.Callbacks.AppendFuture;
import io.converge.ledger.core.TestBatch.BatchFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.load;
import static io.converge.ledger.core.Callbacks.loadAsync;
import static io.converge.ledger.core.Callbacks.rejection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageFailureTest extends Ledgers {
    private static final int SEGMENT = StorageConfig.MIN_SEGMENT_BYTES;
    private static final int MIB = 1 << 20;
    /** The record of a 1 MiB payload under key "k" in a one-character context. */
    private static final int MIB_RECORD = EntryRecord.size(1, 1, 0, MIB);

    @TempDir
    Path tmp;

    private final List<Ledger> injected = new ArrayList<>();

    @AfterEach
    void closeInjected() {
        injected.forEach(Ledger::close);
    }

    private static StorageConfig storage(Path dir) {
        return StorageConfig.files(dir).withSegmentBytes(SEGMENT);
    }

    private Ledger startWithBudget(Path dir, long budget) {
        return start(LedgerConfig.defaults().withStorage(storage(dir).withDiskBudgetBytes(budget)));
    }

    /** A distinct 1 MiB payload per {@code n}. */
    private static byte[] mib(int n) {
        byte[] b = Bytes.ramp(MIB);
        b[0] = (byte) n;
        b[MIB - 1] = (byte) (n * 31);
        return b;
    }

    private static LedgerException outcome(AppendFuture f) throws Exception {
        try {
            f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return (LedgerException) e.getCause();
        }
    }

    private static void assertRefused(LedgerException e, LedgerException.Reason reason, String mention) {
        assertNotNull(e, "expected a refusal");
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(mention), "'" + e.getMessage() + "' should mention '" + mention + "'");
    }

    private static List<String> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("segment-")).sorted().toList();
        }
    }

    // ---- the disk budget

    @Test
    void aDiskBudgetRefusesAppendsWithResourceExhaustedOnceSpentAndKeepsWhatIsStoredReadable() throws Exception {
        Path dir = tmp.resolve("data");
        Ledger ledger = startWithBudget(dir, 2L * SEGMENT);

        long acks = 0;
        LedgerException refused = null;
        for (int i = 1; i <= 40 && refused == null; i++) {
            refused = outcome(Callbacks.appendAsync(ledger, "c", "k", mib(i), Map.of()));
            if (refused == null) {
                acks++;
            }
        }

        assertRefused(refused, LedgerException.Reason.RESOURCE_EXHAUSTED, "disk budget");
        assertEquals(2L * (SEGMENT / MIB_RECORD), acks, "two segments' worth of records were stored");
        assertEquals(acks, ledger.view("c").latestSequence(), "the refused append left nothing behind");
        assertEquals(1, ledger.stats().storeRefusals());
        assertEquals(acks, ledger.stats().appendsStored());
        for (long s = 1; s <= acks; s++) {
            assertEquals(ByteBuffer.wrap(mib((int) s)), ledger.view("c").entry(s).payload(), "entry " + s);
        }
        assertRefused(outcome(Callbacks.appendAsync(ledger, "c", "k", mib(99), Map.of())),
            LedgerException.Reason.RESOURCE_EXHAUSTED, "disk budget");
        assertEquals(2, ledger.stats().storeRefusals());
        assertEquals(acks + 1, append(ledger, "c", "k", "small").sequence(),
            "an entry that fits in what is left of the last segment is still taken");
        assertEquals(List.of(SegmentFiles.fileName(0), SegmentFiles.fileName(1)), segmentFiles(dir),
            "no segment file beyond the budget");
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("c", "", 0, sink);
        assertEquals(acks + 1, sink.awaitEntries((int) acks + 1).size(), "a Watch reads everything stored");
    }

    @Test
    void aBatchTheDiskBudgetCannotHoldIsRefusedWholeWhileASmallerOneStillFits() {
        Path dir = tmp.resolve("data");
        Ledger ledger = startWithBudget(dir, 2L * SEGMENT);
        int perSegment = SEGMENT / MIB_RECORD;
        int stored = 2 * perSegment - 2; // two records' room left in the second segment
        for (int i = 1; i <= stored; i++) {
            append(ledger, "c", "k", mib(i), Map.of());
        }

        TestBatch tooBig = new TestBatch().add("c", "k", mib(100), Map.of()).add("d", "k", mib(101), Map.of())
            .add("c", "k", mib(102), Map.of());
        BatchFuture refused = TestBatch.appendAsync(ledger, tooBig, null);

        assertRefused(rejection(refused), LedgerException.Reason.RESOURCE_EXHAUSTED, "disk budget");
        assertEquals(stored, ledger.view("c").latestSequence(), "no entry of the refused batch is stored");
        assertEquals(0, ledger.view("d").latestSequence());
        assertEquals(1, ledger.stats().storeRefusals());

        AppendedBatch fits = TestBatch.append(ledger,
            new TestBatch().add("c", "k", mib(200), Map.of()).add("d", "k", mib(201), Map.of()));
        assertEquals(stored + 1, fits.sequence(0), "no gap after the refused batch");
        assertEquals(1, fits.sequence(1));
        assertEquals(ByteBuffer.wrap(mib(200)), ledger.view("c").entry(stored + 1).payload());
        assertEquals(ByteBuffer.wrap(mib(201)), ledger.view("d").entry(1).payload());
    }

    // ---- a write failure injected through the store

    /** A store whose {@link #ensureRoom} throws {@link #failure} while it is set, as a failing disk would. */
    static final class FailingStore extends ForwardingRecordStore {
        volatile LedgerException failure;

        FailingStore(RecordStore delegate) {
            super(delegate);
        }

        @Override
        public void ensureRoom(long bytes, int largestRecord) {
            LedgerException f = failure;
            if (f != null) {
                throw f;
            }
            super.ensureRoom(bytes, largestRecord);
        }
    }

    @ParameterizedTest
    @EnumSource(value = LedgerException.Reason.class, names = {"UNAVAILABLE", "RESOURCE_EXHAUSTED"})
    void aFailedWriteRefusesAppendsBatchesAndLoadsWithItsStatusWhileReadsGoOnAndAppendsResumeWithoutAGap(
        LedgerException.Reason reason) {
        Path dir = tmp.resolve("data");
        FailingStore store = new FailingStore(storage(dir).open());
        Ledger ledger = Ledger.start(LedgerConfig.defaults().withStorage(storage(dir)), store);
        injected.add(ledger);
        for (int i = 1; i <= 3; i++) {
            append(ledger, "c", "k", "before " + i);
        }
        Ledger source = start(); // in memory
        append(source, "s", "k", "snapshotted");
        byte[] blob = source.snapshot("s").blob();
        RecordingSink sink = RecordingSink.unlimited();
        ledger.watch("c", "", 0, sink);
        sink.awaitEntries(3);

        LedgerException failure = new LedgerException(reason, "injected: the disk said no");
        store.failure = failure;

        assertSame(failure, rejection(Callbacks.appendAsync(ledger, "c", "k", Bytes.utf8("refused"), Map.of())),
            "the append is refused with the store's own status and message");
        assertSame(failure, rejection(TestBatch.appendAsync(ledger, new TestBatch().add("c", "x").add("n", "y"), null)));
        assertSame(failure, rejection(loadAsync(ledger, "s", blob, false)));
        assertEquals(3, ledger.stats().storeRefusals());
        assertEquals(3, ledger.view("c").latestSequence(), "no refused entry became visible");
        assertEquals(0, ledger.view("n").latestSequence());
        assertEquals(0, ledger.view("s").latestSequence());
        assertEquals(ByteBuffer.wrap(Bytes.utf8("before 2")), ledger.view("c").entry(2).payload(), "reads go on");
        assertEquals(3, ledger.snapshot("c").entryCount());

        store.failure = null;

        assertEquals(4, append(ledger, "c", "k", "after").sequence(), "appends resume with no gap");
        assertEquals(List.of(5L, 1L), batchSequences(TestBatch.append(ledger,
            new TestBatch().add("c", "x").add("n", "y"))));
        assertEquals(1, load(ledger, "s", blob, false).entriesRestored());
        List<Entry> watched = sink.awaitEntries(5);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), watched.stream().map(Entry::sequence).toList());
        assertEquals(ByteBuffer.wrap(Bytes.utf8("after")), watched.get(3).payload(),
            "the watch never saw the refused entry");
        ledger.close();

        Ledger restarted = start(LedgerConfig.defaults().withStorage(storage(dir)));
        assertEquals(7, restarted.recoveredEntries(), "the refused requests left no record in the files");
        assertEquals(5, restarted.view("c").latestSequence());
    }

    private static List<Long> batchSequences(AppendedBatch acks) {
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
            sequences.add(acks.sequence(i));
        }
        return sequences;
    }
}
