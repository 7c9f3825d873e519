package io.converge.ledger.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentedStoreTest {
    private static final int SEGMENT = StorageConfig.MIN_SEGMENT_BYTES;

    @TempDir
    Path dir;

    private final List<RecordStore> stores = new ArrayList<>();
    private final CRC32C crc = new CRC32C();

    @AfterEach
    void closeStores() {
        stores.forEach(RecordStore::close);
    }

    private SegmentedStore files() {
        SegmentedStore store = StorageConfig.files(dir).withSegmentBytes(SEGMENT).open();
        stores.add(store);
        return store;
    }

    private SegmentedStore memory() {
        SegmentedStore store = StorageConfig.memory().withSegmentBytes(SEGMENT).open();
        stores.add(store);
        return store;
    }

    /** Claims and writes a record of {@code payloadBytes} of payload with this sequence; returns its position. */
    private long writeRecord(RecordStore store, long sequence, int payloadBytes) {
        int size = EntryRecord.size(1, 0, 0, payloadBytes);
        long position = store.claim(size);
        Segment s = store.segment(position);
        EntryRecord.write(s.records(), s.writerView(), crc, RecordStore.offset(position), sequence, 1, sequence, 1,
            Bytes.utf8("c"), EntryRecord.EMPTY, EntryRecord.EMPTY, Bytes.ramp(payloadBytes));
        return position;
    }

    private List<String> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("segment-")).sorted().toList();
        }
    }

    private static List<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(SegmentFiles.fileName(i));
        }
        return names;
    }

    @Test
    void aRecordLargerThanWhatIsLeftOfASegmentStartsTheNextOneAtOffsetZero() {
        SegmentedStore store = memory();
        int payload = 1 << 20;
        int size = EntryRecord.size(1, 0, 0, payload);
        List<Long> positions = new ArrayList<>();
        for (int i = 1; i <= SEGMENT / size + 1; i++) {
            store.ensureRoom(size, size);
            positions.add(writeRecord(store, i, payload));
        }
        store.written();

        int perSegment = SEGMENT / size;
        for (int i = 0; i < perSegment; i++) {
            assertEquals(RecordStore.position(0, i * size), positions.get(i), "record " + i + " fits in segment 0");
        }
        long rolled = positions.get(perSegment);
        assertEquals(1, RecordStore.segmentIndex(rolled), "the record that does not fit goes to the next segment");
        assertEquals(0, RecordStore.offset(rolled));
        assertEquals((long) SEGMENT + size, store.bytesWritten(),
            "segment 0 whole, its unused tail included, and one record");
        for (int i = 0; i < positions.size(); i++) {
            long p = positions.get(i);
            Segment s = store.segment(p);
            assertEquals(RecordStore.segmentIndex(p), s.index());
            assertNull(EntryRecord.damage(s.records(), s.writerView(), crc, RecordStore.offset(p), s.capacity()),
                "record " + i + " is whole in its segment");
            assertEquals(i + 1, EntryRecord.sequence(s.records(), RecordStore.offset(p)));
        }
    }

    @Test
    void ensureRoomForABatchLargerThanASegmentMakesSeveralAndEveryRecordOfItCanBeClaimed() throws IOException {
        SegmentedStore store = files();
        int payload = 1 << 20;
        int size = EntryRecord.size(1, 0, 0, payload);
        int records = 2 * (SEGMENT / size) + 3; // more than two segments hold
        assertEquals(List.of(), segmentFiles(), "no segment before the writer needs one");

        store.ensureRoom((long) records * size, size);

        List<String> made = segmentFiles();
        assertTrue(made.size() >= 3, "room for " + records + " records of " + size + " bytes takes at least three"
            + " segments of " + SEGMENT + ", made " + made);
        assertEquals(names(made.size()), made);
        long last = 0;
        for (int i = 1; i <= records; i++) {
            last = writeRecord(store, i, payload); // a claim without room would throw IllegalStateException
        }
        store.written();
        assertEquals(2, RecordStore.segmentIndex(last), "the batch ends in the third segment");
        assertEquals(made, segmentFiles(), "claiming the batch made no segment of its own");
        assertThrows(IllegalStateException.class, () -> store.claim(SEGMENT),
            "a claim beyond the room made for it is a bug the store reports");
    }

    @Test
    void withoutPreallocationTheWriterMakesEachSegmentWhenItNeedsIt() throws IOException {
        SegmentedStore store = files();
        int size = EntryRecord.size(1, 0, 0, 100);

        store.ensureRoom(size, size);
        assertEquals(names(1), segmentFiles());
        writeRecord(store, 1, 100);
        store.ensureRoom(size, size);
        assertEquals(names(1), segmentFiles(), "room in the current segment makes no new one");
    }

    @Test
    void thePreallocatorKeepsASpareSegmentReadyAheadOfTheWriter() throws Exception {
        SegmentedStore store = files();
        store.startPreallocating();
        awaitSegmentFiles(1); // the first segment, before any write

        int payload = 1 << 20;
        int size = EntryRecord.size(1, 0, 0, payload);
        store.ensureRoom(size, size);
        writeRecord(store, 1, payload);
        store.written();
        awaitSegmentFiles(2); // current + 1

        int perSegment = SEGMENT / size;
        long last = 0;
        for (int i = 2; i <= perSegment + 1; i++) {
            store.ensureRoom(size, size);
            last = writeRecord(store, i, payload);
        }
        store.written();
        assertEquals(1, RecordStore.segmentIndex(last), "the writer moved on to segment 1");
        awaitSegmentFiles(3); // current + 1 again
        Thread.sleep(50);
        assertEquals(names(3), segmentFiles(), "only one spare is kept ahead");
    }

    /** An idle server restarted again and again must not grow its data directory by a segment each time. */
    @Test
    void aRestartReusesTheEmptySpareAndMakesNoNewSegment() throws Exception {
        for (int start = 0; start < 3; start++) {
            SegmentedStore store = files();
            store.resumeAt(0); // what recovery finds in an empty log: its end at segment 0, offset 0
            store.startPreallocating();
            awaitSegmentFiles(start == 0 ? 1 : 2);
            int size = EntryRecord.size(1, 0, 0, 8);
            store.ensureRoom(size, size);
            assertEquals(0, RecordStore.segmentIndex(store.claim(size)), "the writer starts in segment 0");
            awaitSegmentFiles(2); // segment 0 and one spare
            store.close();
            stores.remove(store);
            Thread.sleep(20);
            assertEquals(names(2), segmentFiles(), "start " + start + " left the current segment and one spare");
        }
    }

    @Test
    void segmentFilesAreCreatedFullSizeAndZeroed() throws IOException {
        SegmentedStore store = files();
        store.ensureRoom(1, 1);
        Path file = dir.resolve(SegmentFiles.fileName(0));

        assertEquals(SEGMENT, Files.size(file));
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                throw new AssertionError("byte " + i + " of a new segment is " + bytes[i]);
            }
        }
    }

    @Test
    void aDiskBudgetRefusesTheSegmentBeyondItAndKeepsWhatIsThere() throws IOException {
        SegmentedStore store = new SegmentedStore(new SegmentFiles(dir, SEGMENT, 2L * SEGMENT));
        stores.add(store);
        int payload = 1 << 20;
        int size = EntryRecord.size(1, 0, 0, payload);

        store.ensureRoom(SEGMENT, size); // two segments, as the record that does not fit wastes a tail
        assertEquals(names(2), segmentFiles());
        LedgerException e = assertThrows(LedgerException.class, () -> store.ensureRoom(3L * SEGMENT, size));
        assertEquals(LedgerException.Reason.RESOURCE_EXHAUSTED, e.reason());
        assertTrue(e.getMessage().contains("disk budget"), e.getMessage());
        assertEquals(names(2), segmentFiles(), "nothing beyond the budget was created");
    }

    @Test
    void aSegmentThePreallocatorCannotCreateRefusesRoomWithItsReasonUntilItCan() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        OffHeapSegments memory = new OffHeapSegments(SEGMENT);
        SegmentedStore store = new SegmentedStore(new SegmentSource() {
            @Override
            public List<Segment> existing() {
                return List.of();
            }

            @Override
            public Segment create(int index) {
                if (failing.get()) {
                    throw new UncheckedIOException(new IOException("No space left on device"));
                }
                return memory.create(index);
            }

            @Override
            public void close() {
            }
        });
        stores.add(store);
        store.startPreallocating();
        int size = EntryRecord.size(1, 0, 0, 100);

        LedgerException e = assertThrows(LedgerException.class, () -> store.ensureRoom(size, size));
        assertEquals(LedgerException.Reason.UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("could not create its next segment"), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());

        failing.set(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) { // the preallocator tries again within a second
            try {
                store.ensureRoom(size, size);
                break;
            } catch (LedgerException stillRefused) {
                assertTrue(System.nanoTime() < deadline, "room did not come back: " + stillRefused.getMessage());
                Thread.sleep(20);
            }
        }
        long position = writeRecord(store, 1, 100);
        assertEquals(RecordStore.position(0, 0), position, "the first segment is segment 0");
    }

    @Test
    void theDataDirectoryIsLockedWhileAStoreHasItOpen() {
        SegmentedStore first = files();

        IllegalStateException e = assertThrows(IllegalStateException.class, this::files);
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());

        first.close();
        stores.remove(first);
        files(); // free again
    }

    /** Waits, bounded, until the directory holds {@code count} segment files, each at its full size. */
    @Test
    void closingDataDirectoryFilesTwiceDoesNotFreeTheDirectoryForAnotherThatHoldsItSince() {
        SegmentFiles first = new SegmentFiles(dir, SEGMENT, 0);
        first.close();
        SegmentFiles second = new SegmentFiles(dir, SEGMENT, 0);
        try {
            first.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SegmentFiles(dir, SEGMENT, 0));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        } finally {
            second.close();
        }
        new SegmentFiles(dir, SEGMENT, 0).close();
    }

    private void awaitSegmentFiles(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (segmentFiles().size() < count || !allFullSize()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " segment files within " + TIMEOUT_SECONDS
                    + " s, found " + segmentFiles());
            }
            Thread.sleep(5);
        }
        assertEquals(names(count), segmentFiles());
    }

    private boolean allFullSize() throws IOException {
        for (String name : segmentFiles()) {
            if (Files.size(dir.resolve(name)) != SEGMENT) {
                return false;
            }
        }
        return true;
    }
}
