package io.converge.ledger.core;

import io.converge.ledger.core.Callbacks.Appended;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restart on file storage: what comes back, torn tails, damage, and the data-directory lock. */
class RecoveryTest extends Ledgers {
    private static final int SEGMENT = StorageConfig.MIN_SEGMENT_BYTES;
    private static final String FIRST_SEGMENT = SegmentFiles.fileName(0);
    /** The payload of {@link #writeSmallEntries}: a 78-byte record (52 of header), 2 bytes of padding. */
    private static final int SMALL_PAYLOAD = 24;

    @TempDir
    Path tmp;

    private static StorageConfig storage(Path dir) {
        return StorageConfig.files(dir).withSegmentBytes(SEGMENT);
    }

    private static LedgerConfig config(Path dir) {
        return LedgerConfig.defaults().withStorage(storage(dir));
    }

    /** Every entry of the context as of now, each payload copied onto the heap (so it outlives the ledger). */
    private static List<Entry> entriesOf(Ledger ledger, String contextId) {
        ContextView view = ledger.view(contextId);
        List<Entry> entries = new ArrayList<>();
        for (long s = 1; s <= view.latestSequence(); s++) {
            entries.add(copy(view.entry(s)));
        }
        return entries;
    }

    private static Entry copy(Entry e) {
        return new Entry(e.id(), e.key(), ByteBuffer.wrap(e.payloadBytes()), e.sequence(), e.appendedAtNs(),
            e.metadata());
    }

    /** The offsets of the records in a segment file, found as recovery finds them: frame by frame. */
    private static List<Integer> recordOffsets(Path segmentFile) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segmentFile)).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> offsets = new ArrayList<>();
        int at = 0;
        while (at + EntryRecord.HEADER_BYTES <= buf.capacity() && buf.getInt(at) != 0) {
            offsets.add(at);
            at += EntryRecord.aligned(buf.getInt(at));
        }
        return offsets;
    }

    private static int frameLengthAt(Path segmentFile, int offset) throws IOException {
        try (FileChannel ch = FileChannel.open(segmentFile, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, offset);
            return b.getInt(0);
        }
    }

    private static void deleteDirectory(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.clear();
            ch.write(b, offset);
        }
    }

    private static void zero(Path file, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(length), offset);
        }
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }

    /**
     * A small ledger on the files in {@code dir} whose writer makes segments itself: it starts
     * and stops faster, as it creates and forces no spare segment it will not use.
     */
    private static Ledger startWithoutPreallocation(Path dir) {
        return Ledger.start(config(dir).withRingSize(64).withWatchThreads(1),
            new ForwardingRecordStore(storage(dir).open()));
    }

    /** {@code n} payload bytes with no zero among them, so that any cut into them changes the record. */
    private static byte[] noZeros(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + (i + seed) % 26);
        }
        return b;
    }

    /** Appends {@code n} entries of small records to context "c" of a new ledger in {@code dir} and closes it. */
    private static void writeSmallEntries(Path dir, int n) {
        try (Ledger ledger = Ledger.start(config(dir))) {
            for (int i = 1; i <= n; i++) {
                assertEquals(i, append(ledger, "c", "k", noZeros(SMALL_PAYLOAD, i), Map.of()).sequence());
            }
        }
    }

    // ---- close and restart

    @Test
    void everyEntryOfEveryContextComesBackUnchangedAfterARestartAndAppendsContinueAtLatestPlusOne() {
        Path dir = tmp.resolve("data");
        Ledger before = start(config(dir));
        byte[] big = Bytes.ramp(1 << 20);
        for (int i = 0; i < 20; i++) { // ~20 MiB: the log spans three 8 MiB segments
            append(before, "big-β", "chunk-" + i, big, Map.of("i", Integer.toString(i)));
        }
        int[] sizes = {0, 1, 7, 100, 4096, 65_536};
        for (int i = 0; i < 60; i++) {
            Map<String, String> metadata = new LinkedHashMap<>();
            if (i % 3 != 0) {
                metadata.put("trace", "t-" + i);
                metadata.put("名前", "値-" + i);
            }
            append(before, "orders", i % 4 == 0 ? "" : "kéy-" + i % 5, Bytes.ramp(sizes[i % sizes.length]), metadata);
        }
        TestBatch batch = new TestBatch();
        for (int i = 0; i < 30; i++) {
            batch.add(i % 2 == 0 ? "orders" : "batched-ü", "b" + i % 3, noZeros(i * 11, i), Map.of("n", "" + i));
        }
        TestBatch.append(before, batch);
        Ledger source = start(); // in memory
        for (int i = 1; i <= 5; i++) {
            append(source, "snap", "s" + i, Bytes.utf8("snapshotted " + i), Map.of("from", "source"));
        }
        byte[] blob = source.snapshot("snap").blob();
        assertEquals(5, load(before, "snap", blob, false).entriesRestored(), "same context: ids kept");
        assertEquals(5, load(before, "snap-copy", blob, true).entriesRestored(), "another context: fresh ids");

        List<String> contexts = List.of("big-β", "orders", "batched-ü", "snap", "snap-copy");
        Map<String, List<Entry>> stored = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        long total = 0;
        for (String c : contexts) {
            stored.put(c, entriesOf(before, c));
            stored.get(c).forEach(e -> ids.add(e.id()));
            total += stored.get(c).size();
        }
        assertEquals(20 + 60 + 30 + 10, total);
        assertEquals(total, ids.size(), "ids are unique before the restart");
        assertTrue(before.storedRecordBytes() > 2L * SEGMENT, "the log rolled over at least two segments");
        before.close();

        Ledger after = start(config(dir));

        assertEquals(total, after.recoveredEntries());
        assertEquals(List.of(), after.recoveryReports());
        assertEquals(contexts.size(), after.contextCount());
        for (String c : contexts) {
            assertEquals(stored.get(c), entriesOf(after, c), "context " + c + " after the restart");
        }
        for (String c : contexts) { // a Watch from 0 replays every recovered entry
            RecordingSink sink = RecordingSink.unlimited();
            after.watch(c, "", 0, sink);
            List<Entry> watched = sink.awaitEntries(stored.get(c).size());
            assertEquals(stored.get(c), watched.stream().map(RecoveryTest::copy).toList(), "watch of " + c);
            assertEquals(List.of(), sink.violations());
        }

        Map<String, Entry> added = new LinkedHashMap<>();
        for (String c : contexts) {
            long latest = stored.get(c).size();
            Appended a = append(after, c, "after", Bytes.utf8("after restart " + c), Map.of());
            assertEquals(latest + 1, a.sequence(), "context " + c + " continues at latest + 1");
            assertFalse(ids.contains(a.id()), "a new entry's id " + a.id() + " was already used before the restart");
            added.put(c, copy(after.view(c).entry(a.sequence())));
        }
        AppendedBatch more = TestBatch.append(after, new TestBatch().add("orders", "x").add("new-context", "y"));
        assertEquals(stored.get("orders").size() + 2, more.sequence(0));
        assertEquals(1, more.sequence(1));
        after.close();

        Ledger again = start(config(dir));
        assertEquals(total + contexts.size() + 2, again.recoveredEntries(), "what came after a restart survives one");
        for (String c : contexts) {
            List<Entry> expected = new ArrayList<>(stored.get(c));
            expected.add(added.get(c));
            List<Entry> got = entriesOf(again, c);
            assertEquals(expected, c.equals("orders") ? got.subList(0, got.size() - 1) : got, "context " + c);
        }
        assertEquals(1, again.view("new-context").latestSequence());
    }

    @Test
    void idsStayUniqueAcrossSeveralRestarts() {
        Path dir = tmp.resolve("data");
        Set<String> ids = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            try (Ledger ledger = Ledger.start(config(dir))) {
                assertEquals(round * 50L, ledger.recoveredEntries());
                for (int i = 0; i < 50; i++) {
                    Appended a = append(ledger, "c", "", "r" + round + "-" + i);
                    assertEquals(round * 50L + i + 1, a.sequence());
                    assertTrue(ids.add(a.id()), "id " + a.id() + " issued twice");
                }
            }
        }
    }

    // ---- torn tails

    /**
     * Cuts the last segment at every byte offset of its last record, as a crash cutting the
     * write short would leave it, and restarts on each cut.
     */
    @Test
    void aLastRecordCutAtAnyByteIsDroppedAndReportedAndTheLogGoesOnFromThere() throws IOException {
        int n = 5;
        Path original = tmp.resolve("original");
        writeSmallEntries(original, n);
        List<Integer> offsets = recordOffsets(original.resolve(FIRST_SEGMENT));
        assertEquals(n, offsets.size());
        int start = offsets.get(n - 1);
        int frame = frameLengthAt(original.resolve(FIRST_SEGMENT), start);
        int end = start + EntryRecord.aligned(frame);
        assertTrue(end > start + frame, "the record ends in padding, which is cut too");
        byte[] bytes = Files.readAllBytes(original.resolve(FIRST_SEGMENT));

        for (int cut = start; cut <= end; cut++) {
            Path dir = tmp.resolve("cut-" + cut);
            Files.createDirectories(dir);
            // a copy of the segment that holds the log; the spare after it holds only zeros
            Path segment = Files.copy(original.resolve(FIRST_SEGMENT), dir.resolve(FIRST_SEGMENT));
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            boolean whole = cut >= start + frame;
            long expected = whole ? n : n - 1;
            String at = "cut at " + cut + " (record " + start + ".." + (start + frame) + ")";

            try (Ledger ledger = startWithoutPreallocation(dir)) {
                assertEquals(expected, ledger.recoveredEntries(), at);
                assertEquals(expected, ledger.view("c").latestSequence(), at);
                if (whole || cut == start) {
                    assertEquals(List.of(), ledger.recoveryReports(), at + ": nothing was dropped");
                } else {
                    assertEquals(1, ledger.recoveryReports().size(), at);
                    String report = ledger.recoveryReports().get(0);
                    int lastNonZero = cut - 1;
                    while (bytes[lastNonZero] == 0) {
                        lastNonZero--;
                    }
                    assertMentions(report, segment.toString(), "offset " + start + ",", "torn",
                        (lastNonZero - start + 1) + " bytes");
                }
                for (long s = 1; s <= expected; s++) {
                    assertEquals(ByteBuffer.wrap(noZeros(SMALL_PAYLOAD, (int) s)), ledger.view("c").entry(s).payload(), at);
                }
                assertEquals(expected + 1, append(ledger, "c", "k", "after " + cut).sequence(), at);
            }
            try (Ledger ledger = startWithoutPreallocation(dir)) {
                assertEquals(expected + 1, ledger.recoveredEntries(), at + ", restarted again");
                assertEquals(List.of(), ledger.recoveryReports(), at + ", restarted again");
                assertEquals(ByteBuffer.wrap(Bytes.utf8("after " + cut)),
                    ledger.view("c").entry(expected + 1).payload(), at);
            }
            deleteDirectory(dir); // keeps what the test writes to one segment's worth
        }
    }

    /**
     * A kill -9 while the writer is inside a record leaves that record's bytes written so
     * far in the mapped file and its frame length, which goes in last, still 0.
     */
    @ParameterizedTest(name = "header bytes not yet written: {0}")
    @ValueSource(ints = {4, EntryRecord.HEADER_BYTES, EntryRecord.HEADER_BYTES + 10})
    void aLastRecordWhoseFrameLengthWasNeverWrittenIsATornTail(int unwritten) throws IOException {
        int n = 5;
        Path dir = tmp.resolve("data");
        writeSmallEntries(dir, n);
        Path segment = dir.resolve(FIRST_SEGMENT);
        int last = recordOffsets(segment).get(n - 1);
        int frame = frameLengthAt(segment, last);
        zero(segment, last, unwritten); // the header, and for the last case the content's start too

        Ledger ledger = start(config(dir));

        assertEquals(n - 1, ledger.recoveredEntries());
        assertEquals(1, ledger.recoveryReports().size(), ledger.recoveryReports().toString());
        assertMentions(ledger.recoveryReports().get(0), segment.toString(), "offset " + last + ",",
            frame + " bytes");
        assertEquals(n, append(ledger, "c", "k", "after").sequence());
        ledger.close();
        Ledger again = start(config(dir));
        assertEquals(n, again.recoveredEntries());
        assertEquals(List.of(), again.recoveryReports());
    }

    @Test
    void aTornRecordAtTheStartOfALaterSegmentIsDroppedAndTheLogGoesOnInThatSegment() throws IOException {
        Path dir = tmp.resolve("data");
        byte[] big = Bytes.ramp(1 << 20);
        try (Ledger ledger = Ledger.start(config(dir))) {
            for (int i = 0; i < 8; i++) { // 7 fill the first segment, the 8th starts the second
                append(ledger, "c", "", big, Map.of());
            }
        }
        Path second = dir.resolve(SegmentFiles.fileName(1));
        assertEquals(List.of(0), recordOffsets(second));
        try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
            ch.truncate(1000);
        }

        Ledger ledger = start(config(dir));

        assertEquals(7, ledger.recoveredEntries());
        assertEquals(1, ledger.recoveryReports().size());
        assertMentions(ledger.recoveryReports().get(0), second.toString(), "offset 0,");
        assertEquals(8, append(ledger, "c", "", "after").sequence());
        ledger.close();
        assertEquals(List.of(0), recordOffsets(second), "the log went on where the torn record was");
        Ledger again = start(config(dir));
        assertEquals(8, again.recoveredEntries());
        assertEquals(List.of(), again.recoveryReports());
        assertEquals(ByteBuffer.wrap(Bytes.utf8("after")), again.view("c").entry(8).payload());
    }

    @Test
    void appendTimesNeverGoBackAfterARestartWhoseClockIsBehind() {
        Path dir = tmp.resolve("data");
        long appendedAt;
        try (Ledger ledger = Ledger.start(config(dir).withEpochNanos(() -> 2_000_000L))) {
            appendedAt = append(ledger, "c", "", "first").appendedAtNs();
        }
        assertEquals(2_000_000L, appendedAt);

        try (Ledger behind = Ledger.start(config(dir).withEpochNanos(() -> 1_000_000L))) {
            assertEquals(appendedAt, append(behind, "c", "", "second").appendedAtNs(),
                "an append time is never earlier than its context's last, recovered or not");
            assertEquals(1_000_000L, append(behind, "other", "", "x").appendedAtNs());
        }
        Ledger again = start(config(dir));
        assertEquals(3, again.recoveredEntries(), "recovery finds the times in order");
    }

    // ---- damage before the end

    @Test
    void aBitFlipInAnEarlierRecordStopsTheStartNamingTheFileAndOffset() throws IOException {
        Path dir = tmp.resolve("data");
        writeSmallEntries(dir, 10);
        Path segment = dir.resolve(FIRST_SEGMENT);
        int damaged = recordOffsets(segment).get(3);
        flipBit(segment, damaged + EntryRecord.HEADER_BYTES + 5, 2); // in the payload of entry 4

        List<String> files = segmentFileNames(dir);
        byte[] bytes = Files.readAllBytes(segment);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(config(dir)));

        assertMentions(e.getMessage(), segment.toString(), "offset " + damaged + ":", "CRC-32C", "truncate");
        assertEquals(files, segmentFileNames(dir), "a refused start makes no segment");
        assertTrue(Arrays.equals(bytes, Files.readAllBytes(segment)), "a refused start changes nothing");
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> start(config(dir)));
        assertMentions(again.getMessage(), "offset " + damaged + ":"); // not "in use": the refused start unlocked
    }

    @Test
    void aZeroFrameLengthFollowedByIntactRecordsIsDamageNotAnEnd() throws IOException {
        Path dir = tmp.resolve("data");
        writeSmallEntries(dir, 10);
        Path segment = dir.resolve(FIRST_SEGMENT);
        int damaged = recordOffsets(segment).get(6);
        zero(segment, damaged, 4);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(config(dir)));

        assertMentions(e.getMessage(), segment.toString(), "offset " + damaged + ":");
    }

    @Test
    void withTruncateABitFlipCutsTheLogThereReportsWhatItDroppedAndAppendsContinue() throws IOException {
        Path dir = tmp.resolve("data");
        writeSmallEntries(dir, 10);
        Path segment = dir.resolve(FIRST_SEGMENT);
        int damaged = recordOffsets(segment).get(3);
        flipBit(segment, damaged + EntryRecord.HEADER_BYTES + 5, 2);
        LedgerConfig truncate = LedgerConfig.defaults()
            .withStorage(storage(dir).withRecovery(StorageConfig.Recovery.TRUNCATE));

        Ledger ledger = start(truncate);

        assertEquals(3, ledger.recoveredEntries(), "the entries before the damage are kept");
        assertEquals(1, ledger.recoveryReports().size());
        assertMentions(ledger.recoveryReports().get(0), segment.toString(), "offset " + damaged + " ",
            "6 intact entries");
        for (long s = 1; s <= 3; s++) {
            assertEquals(ByteBuffer.wrap(noZeros(SMALL_PAYLOAD, (int) s)), ledger.view("c").entry(s).payload());
        }
        assertEquals(4, append(ledger, "c", "k", "after").sequence());
        ledger.close();

        Ledger strict = start(config(dir));
        assertEquals(4, strict.recoveredEntries(), "the cut is for good: a strict start now finds no damage");
        assertEquals(List.of(), strict.recoveryReports());
        assertEquals(ByteBuffer.wrap(Bytes.utf8("after")), strict.view("c").entry(4).payload());
    }

    @Test
    void withTruncateDamageInAnEarlierSegmentDropsTheEntriesOfLaterSegmentsToo() throws IOException {
        Path dir = tmp.resolve("data");
        byte[] big = Bytes.ramp(1 << 20);
        try (Ledger ledger = Ledger.start(config(dir))) {
            for (int i = 0; i < 10; i++) {
                append(ledger, i % 2 == 0 ? "even" : "odd", "", big, Map.of());
            }
            assertTrue(ledger.storedRecordBytes() > SEGMENT, "the log spans two segments");
        }
        Path first = dir.resolve(FIRST_SEGMENT);
        List<Integer> inFirst = recordOffsets(first);
        int inSecond = recordOffsets(dir.resolve(SegmentFiles.fileName(1))).size();
        assertEquals(10, inFirst.size() + inSecond);
        flipBit(first, inFirst.get(2) + 4096, 0); // entry 2 of "even"

        assertThrows(IllegalStateException.class, () -> start(config(dir)));
        Ledger ledger = start(LedgerConfig.defaults()
            .withStorage(storage(dir).withRecovery(StorageConfig.Recovery.TRUNCATE)));

        assertEquals(2, ledger.recoveredEntries());
        assertMentions(ledger.recoveryReports().get(0), first.toString(), "offset " + inFirst.get(2) + " ",
            "7 intact entries");
        assertEquals(1, ledger.view("even").latestSequence());
        assertEquals(1, ledger.view("odd").latestSequence());
        assertEquals(2, append(ledger, "even", "", "after").sequence());
        assertEquals(2, append(ledger, "odd", "", "after").sequence());
        ledger.close();
        Ledger again = start(config(dir));
        assertEquals(4, again.recoveredEntries());
        assertEquals(List.of(), again.recoveryReports());
    }

    // ---- the data-directory lock

    @Test
    void aSecondLedgerOnTheSameDataDirectoryIsRefusedWhileTheFirstRuns() throws Exception {
        Path dir = tmp.resolve("data");
        Ledger first = start(config(dir));
        append(first, "c", "", "one");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Ledger.start(config(dir)));

        assertMentions(e.getMessage(), "in use", dir.toString());
        assertEquals(2, append(first, "c", "", "two").sequence(), "the refused start did not disturb the first");
        assertTrue(lockedByAnotherProcess(dir), "another process still finds the data directory locked");
        first.close();
        assertFalse(lockedByAnotherProcess(dir), "closed, the ledger released its lock");

        Ledger second = start(config(dir));
        assertEquals(2, second.recoveredEntries());
    }

    /** Whether a separate JVM finds {@code ledger.lock} in {@code dir} locked (FileLock is per process). */
    private static boolean lockedByAnotherProcess(Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            LockProbe.class.getName(), dir.resolve("ledger.lock").toString())
            .redirectErrorStream(true).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the lock probe did not finish within " + TIMEOUT_SECONDS + " s");
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        return switch (out) {
            case "locked" -> true;
            case "free" -> false;
            default -> throw new AssertionError("the lock probe said: " + out);
        };
    }

    /** Run in a separate JVM: prints whether the lock file it is given is locked by another process. */
    static final class LockProbe {
        public static void main(String[] args) throws IOException {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                System.out.println(lock == null ? "locked" : "free");
            }
        }
    }

    private static List<String> segmentFileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("segment-")).sorted().toList();
        }
    }
}
