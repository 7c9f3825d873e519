package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextLogTest {
    /** Well past the growing chunks (32,767 entries) into the fixed-size ones. */
    private static final int INDICES = 200_000;

    @Test
    void chunkCapacitiesDoubleFromTheFirstChunkUpToTheMaximumThenStayThere() {
        assertEquals(ContextLog.FIRST_CHUNK, ContextLog.chunkCapacity(0));
        for (int c = 1; c < ContextLog.GROWING_CHUNKS; c++) {
            assertEquals(2 * ContextLog.chunkCapacity(c - 1), ContextLog.chunkCapacity(c), "chunk " + c);
        }
        assertEquals(ContextLog.MAX_CHUNK, ContextLog.chunkCapacity(ContextLog.GROWING_CHUNKS - 1));
        for (int c = ContextLog.GROWING_CHUNKS; c < ContextLog.GROWING_CHUNKS + 20; c++) {
            assertEquals(ContextLog.MAX_CHUNK, ContextLog.chunkCapacity(c), "chunk " + c);
        }
    }

    /**
     * A million one-entry contexts are a real load: the first chunk holds exactly one entry,
     * so such a context keeps no unused slot, and the doubling still reaches the same
     * 16,384-entry chunks, so large contexts keep their layout.
     */
    @Test
    void theFirstChunkHoldsOneEntryAndTheDoublingStillEndsAtSixteenThousandEntries() {
        assertEquals(1, ContextLog.chunkCapacity(0));
        assertEquals(0, ContextLog.chunkIndexOf(0));
        assertEquals(1, ContextLog.chunkIndexOf(1), "the second entry opens the second chunk");
        assertEquals(16_384, ContextLog.MAX_CHUNK);
        long growing = 0;
        for (int c = 0; c < ContextLog.GROWING_CHUNKS; c++) {
            growing += ContextLog.chunkCapacity(c);
        }
        assertEquals(32_767, growing);
        assertEquals(ContextLog.GROWING_CHUNKS - 1, ContextLog.chunkIndexOf(growing - 1), "the last growing chunk");
        assertEquals(ContextLog.GROWING_CHUNKS, ContextLog.chunkIndexOf(growing), "the first fixed-size chunk");
    }

    @Test
    void aOneEntryLogReadsBackAndGrowsIntoItsSecondChunk() {
        ContextWriter log = TestLogs.newLog("ctx");
        TestLogs.write(log, 1, 1, 10, "a", new byte[] {1}, Map.of());
        log.publish();
        assertEquals(1, log.latestSequence());
        assertEquals("a", log.entry(1).key());
        TestLogs.write(log, 1, 2, 20, "b", new byte[] {2}, Map.of());
        TestLogs.write(log, 1, 3, 30, "c", new byte[] {3}, Map.of());
        log.publish();
        assertEquals(3, log.latestSequence());
        assertEquals("a", log.keyAt(1));
        assertEquals("b", log.keyAt(2));
        assertEquals("c", log.keyAt(3));
        assertEquals(30, log.entry(3).appendedAtNs());
    }

    /**
     * Walking the indices in order must walk the (chunk, offset) pairs in order: offset 0
     * of chunk 0 first, then each step either the next offset of the same chunk or offset 0
     * of the next chunk right after the previous chunk's last slot. That makes the mapping
     * a bijection from 0..n onto the slots of the first chunks, with no slot skipped.
     */
    @Test
    void indexToChunkAndOffsetIsABijectionOntoConsecutiveSlots() {
        assertEquals(0, ContextLog.chunkIndexOf(0));
        assertEquals(0, ContextLog.offsetOf(0));
        long slotsBefore = 0; // slots in the chunks before the current one
        for (long index = 0; index < INDICES; index++) {
            int chunk = ContextLog.chunkIndexOf(index);
            int offset = ContextLog.offsetOf(index);
            int capacity = ContextLog.chunkCapacity(chunk);
            assertTrue(offset >= 0 && offset < capacity,
                "index " + index + ": offset " + offset + " outside chunk " + chunk + " of " + capacity);
            if (index > 0) {
                int previousChunk = ContextLog.chunkIndexOf(index - 1);
                int previousOffset = ContextLog.offsetOf(index - 1);
                if (chunk == previousChunk) {
                    assertEquals(previousOffset + 1, offset, "index " + index);
                } else {
                    assertEquals(previousChunk + 1, chunk, "index " + index + " skips a chunk");
                    assertEquals(ContextLog.chunkCapacity(previousChunk) - 1, previousOffset,
                        "index " + index + " leaves chunk " + previousChunk + " before its last slot");
                    assertEquals(0, offset, "index " + index + " does not start its chunk");
                    slotsBefore += ContextLog.chunkCapacity(previousChunk);
                }
            }
            assertEquals(index, slotsBefore + offset, "index " + index + " is not its chunk's start plus its offset");
        }
        assertTrue(ContextLog.chunkIndexOf(INDICES - 1) > ContextLog.GROWING_CHUNKS,
            "the walk should reach the fixed-size chunks");
    }

    @Test
    void writtenEntriesReadBackFieldByFieldAcrossChunkBoundaries() {
        ContextWriter log = TestLogs.newLog("ctx");
        int n = 50_000; // through every growing chunk and into two full-size ones
        for (int i = 0; i < n; i++) {
            long sequence = TestLogs.write(log, 7L, i, 1_000L + i, "k" + i, new byte[] {(byte) i, (byte) (i >>> 8)},
                i % 3 == 0 ? Map.of() : Map.of("m", Integer.toString(i)));
            assertEquals(i + 1L, sequence);
            if (i % 1000 == 999) {
                log.publish();
            }
        }
        log.publish();
        assertEquals(n, log.latestSequence());
        for (int i = 0; i < n; i++) {
            long s = i + 1L;
            Entry e = log.entry(s);
            assertEquals(s, e.sequence());
            assertEquals(EntryIds.format(7L, i), e.id());
            assertEquals("k" + i, e.key());
            assertEquals("k" + i, log.keyAt(s));
            assertArrayEquals(new byte[] {(byte) i, (byte) (i >>> 8)}, e.payloadBytes());
            assertEquals(1_000L + i, e.appendedAtNs());
            assertEquals(i % 3 == 0 ? Map.of() : Map.of("m", Integer.toString(i)), e.metadata());
            assertTrue(log.keyEquals(s, Bytes.utf8("k" + i)));
        }
    }

    @Test
    void readersDoNotSeeWrittenButUnpublishedEntries() {
        ContextWriter log = TestLogs.newLog("ctx");
        assertEquals(0, log.latestSequence());
        assertEquals(1, log.nextSequence());
        assertEquals(0, log.lastAppendedAtNs());

        TestLogs.write(log, 1, 1, 10, "a", new byte[0], Map.of());
        TestLogs.write(log, 1, 2, 20, "b", new byte[0], Map.of());
        assertEquals(0, log.latestSequence(), "written but not published");
        assertEquals(3, log.nextSequence());
        assertEquals(20, log.lastAppendedAtNs());

        log.publish();
        assertEquals(2, log.latestSequence());

        TestLogs.write(log, 1, 3, 30, "c", new byte[0], Map.of());
        assertEquals(2, log.latestSequence(), "the third entry is not published yet");
        log.publish();
        assertEquals(3, log.latestSequence());
        assertEquals("c", log.entry(3).key());
    }

    @Test
    void aPublishWithNothingNewWrittenChangesNothing() {
        ContextWriter log = TestLogs.newLog("ctx");
        log.publish();
        assertEquals(0, log.latestSequence());
        TestLogs.write(log, 1, 1, 10, "a", new byte[0], Map.of());
        log.publish();
        log.publish();
        assertEquals(1, log.latestSequence());
    }

    /**
     * The single-writer publication protocol under a concurrent reader: every entry at or
     * below the latest sequence the reader observes must be complete, whichever chunk
     * (including one that was just allocated) it lives in.
     */
    @Test
    void aConcurrentReaderSeesEveryPublishedEntryComplete() throws Exception {
        ContextWriter log = TestLogs.newLog("ctx");
        int n = 150_000;
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch writerDone = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            long checked = 0;
            while (checked < n && failure.get() == null) {
                long latest = log.latestSequence();
                for (long s = checked + 1; s <= latest; s++) {
                    Entry e = log.entry(s);
                    String key = e.key();
                    if (!("k" + s).equals(key) || e.appendedAtNs() != s || e.payload().remaining() != 1
                        || e.metadata() == null || !e.id().equals(EntryIds.format(0, s))) {
                        failure.set("entry " + s + " incomplete at latest " + latest + ": " + e);
                        return;
                    }
                }
                checked = latest;
                if (writerDone.getCount() == 0 && log.latestSequence() == checked && checked < n) {
                    failure.set("writer finished but only " + checked + " entries became visible");
                }
            }
        }, "context-log-reader");
        reader.setDaemon(true);
        assertTimeoutPreemptively(Duration.ofSeconds(Callbacks.TIMEOUT_SECONDS), () -> {
            reader.start();
            byte[] one = {1};
            for (int i = 1; i <= n; i++) {
                TestLogs.write(log, 0, i, i, "k" + i, one, Map.of());
                if ((i & 15) == 0 || i == n) {
                    log.publish();
                }
            }
            writerDone.countDown();
            reader.join();
        });
        assertNull(failure.get());
        assertEquals(n, log.latestSequence());
    }

    @Test
    void aPayloadIsCopiedIntoItsRecordAndReadBackAsAReadOnlyViewOfIt() {
        ContextWriter log = TestLogs.newLog("ctx");
        byte[] given = Bytes.ramp(100);
        TestLogs.write(log, 1, 1, 3, "k", given, Map.of());
        TestLogs.write(log, 1, 2, 3, "k", new byte[0], Map.of());
        log.publish();

        given[0] = 42; // the stored copy does not change with the caller's array
        Entry e = log.entry(1);
        assertArrayEquals(Bytes.ramp(100), e.payloadBytes());
        assertTrue(e.payload().isReadOnly());
        assertTrue(e.payload().isDirect(), "the view is of the record, off the heap");
        assertEquals(0, log.entry(2).payload().remaining());
    }
}
