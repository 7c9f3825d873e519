package io.converge.ledger.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster mode's core, without Aeron: the {@link LogForwarder} of one ledger offers messages
 * to a {@link FakeLog}; the test "commits" them by handing each, in order, to the
 * {@link LogApplier} of that ledger (member 0, the origin) and of a second one (member 1).
 */
class ReplicatedLedgerTest {
    private static final long TIMEOUT_MS = 10_000;
    private final List<Ledger> ledgers = new ArrayList<>();

    /** A log that keeps what it is offered; it can refuse, and has a small largest message. */
    static final class FakeLog implements ReplicatedLog {
        final int memberId;
        final LinkedBlockingQueue<byte[]> offered = new LinkedBlockingQueue<>();
        volatile boolean refusing;
        final int maxMessageBytes;
        final long commitTimeoutNanos;

        FakeLog(int memberId, int maxMessageBytes, long commitTimeoutNanos) {
            this.memberId = memberId;
            this.maxMessageBytes = maxMessageBytes;
            this.commitTimeoutNanos = commitTimeoutNanos;
        }

        @Override
        public int memberId() {
            return memberId;
        }

        @Override
        public long idBits() {
            return 42;
        }

        @Override
        public int maxMessageBytes() {
            return maxMessageBytes;
        }

        @Override
        public long commitTimeoutNanos() {
            return commitTimeoutNanos;
        }

        @Override
        public boolean offer(ByteBuffer message) {
            if (refusing) {
                return false;
            }
            byte[] copy = new byte[message.remaining()];
            message.get(message.position(), copy);
            offered.add(copy);
            return true;
        }

        @Override
        public String unavailableReason() {
            return "no leader (test)";
        }

        @Override
        public CompletableFuture<Void> readBarrier() {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Hands the next offered message, as committed at {@code position}, to every applier in order. */
    private static long commitNext(FakeLog log, long position, long timestampNs, Ledger... members) throws Exception {
        byte[] m = log.offered.poll(Callbacks.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue(m != null, "a message was offered");
        long end = position + m.length + 32; // a frame header's worth between messages, as in a real log
        for (Ledger member : members) {
            member.logApplier().apply(ByteBuffer.wrap(m).order(LogMessages.ORDER), 0, m.length, end, timestampNs);
        }
        return end;
    }

    private Ledger member(FakeLog log) {
        Ledger ledger = Ledger.startReplicated(LedgerConfig.defaults().withStorage(StorageConfig.memory())
            .withRingSize(1 << 10), () -> { }, log);
        ledgers.add(ledger);
        return ledger;
    }

    @AfterEach
    void close() {
        ledgers.forEach(Ledger::close);
    }

    @Test
    void writesAreAnsweredOnlyOnceTheOriginAppliedThemAndEveryMemberStoresTheSameEntries() throws Exception {
        FakeLog log0 = new FakeLog(0, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        Ledger origin = member(log0);
        Ledger other = member(new FakeLog(1, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)));

        Callbacks.AppendFuture one = Callbacks.appendAsync(origin, "ctx", "a", Bytes.utf8("first"), Map.of("m", "1"));
        assertFalse(one.isDone());
        long position = commitNext(log0, 0, 1_000, origin, other);
        TestBatch.BatchFuture batch = TestBatch.appendAsync(origin, new TestBatch().add("ctx", "b1").add("other", "b2")
            .add("ctx", "b3"), null);
        commitNext(log0, position, 1_000, origin, other);

        Callbacks.Appended first = Callbacks.await(one);
        AppendedBatch acks = Callbacks.await(batch);
        assertEquals(1, first.sequence());
        assertEquals(List.of(2L, 1L, 3L), List.of(acks.sequence(0), acks.sequence(1), acks.sequence(2)));
        assertEquals(1_000L, first.appendedAtNs(), "the time is the message's cluster timestamp");
        for (String context : List.of("ctx", "other")) {
            ContextView mine = origin.view(context);
            ContextView theirs = other.view(context);
            assertEquals(mine.latestSequence(), theirs.latestSequence(), context);
            for (long s = 1; s <= mine.latestSequence(); s++) {
                assertEquals(mine.entry(s), theirs.entry(s), context + " " + s);
            }
        }
        assertEquals(first.id(), origin.view("ctx").entry(1).id());
        assertNotEquals(origin.view("ctx").entry(1).id(), origin.view("ctx").entry(2).id());
        assertEquals(0, origin.logApplier().waiting());
    }

    @Test
    void aWriteIsNotAnsweredBeforeItIsCommittedAndIsAnsweredUnavailableWhenTheCommitTimeoutPasses() throws Exception {
        FakeLog log = new FakeLog(0, 1 << 20, TimeUnit.MILLISECONDS.toNanos(50));
        Ledger origin = member(log);
        Callbacks.AppendFuture waiting = Callbacks.appendAsync(origin, "ctx", "k", Bytes.utf8("x"), Map.of());
        assertTrue(log.offered.poll(Callbacks.TIMEOUT_SECONDS, TimeUnit.SECONDS) != null, "offered");
        assertFalse(waiting.isDone(), "not answered before it is committed");
        Thread.sleep(60);
        origin.logApplier().expireOverdue(System.nanoTime());
        LedgerException refused = Callbacks.rejection(waiting);
        assertEquals(LedgerException.Reason.UNAVAILABLE, refused.reason());
        assertTrue(refused.getMessage().contains("may still be stored"), refused.getMessage());
        assertEquals(0, origin.view("ctx").latestSequence(), "nothing stored until the log says so");
    }

    @Test
    void writesSentToALeaderThatWasReplacedAreAnsweredUnavailableAtOnce() throws Exception {
        FakeLog log = new FakeLog(0, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        Ledger origin = member(log);
        Callbacks.AppendFuture sent = Callbacks.appendAsync(origin, "ctx", "k", Bytes.utf8("x"), Map.of());
        byte[] m = log.offered.poll(Callbacks.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        origin.logApplier().abandonSentUpTo(LogMessages.correlation(ByteBuffer.wrap(m).order(LogMessages.ORDER), 0),
            "the leader changed");
        LedgerException refused = Callbacks.rejection(sent);
        assertEquals(LedgerException.Reason.UNAVAILABLE, refused.reason());
        assertTrue(refused.getMessage().startsWith("the leader changed"), refused.getMessage());
    }

    @Test
    void anEmptyBatchIsAnsweredThroughTheLogInItsTurnNotBeforeTheBatchesAheadOfIt() throws Exception {
        FakeLog log = new FakeLog(0, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        Ledger origin = member(log);
        BatchStream stream = new BatchStream();
        TestBatch.BatchFuture first = TestBatch.appendAsync(origin, new TestBatch().add("ctx", "x"), stream);
        TestBatch.BatchFuture empty = TestBatch.appendAsync(origin, new TestBatch(), stream);
        Callbacks.await(CompletableFuture.runAsync(() -> {
            while (log.offered.size() < 1) {
                Thread.onSpinWait();
            }
        }));
        Thread.sleep(50); // the ring has long had both batches
        assertFalse(empty.isDone(), "the empty batch is not answered before the batch ahead of it is applied");
        long position = 0;
        while (!empty.isDone()) {
            position = commitNext(log, position, 3, origin);
        }
        assertEquals(1, Callbacks.await(first).size());
        assertEquals(0, Callbacks.await(empty).size());
    }

    @Test
    void aLogThatTakesNoMessageMakesWritesUnavailableWithItsReason() {
        FakeLog log = new FakeLog(0, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        log.refusing = true;
        Ledger origin = member(log);
        LedgerException refused = Callbacks.rejection(Callbacks.appendAsync(origin, "ctx", "k", Bytes.utf8("x"),
            Map.of()));
        assertEquals(LedgerException.Reason.UNAVAILABLE, refused.reason());
        assertTrue(refused.getMessage().contains("no leader (test)"), refused.getMessage());
        LedgerException batch = Callbacks.rejection(TestBatch.appendAsync(origin, new TestBatch().add("ctx", "y"), null));
        assertEquals(LedgerException.Reason.UNAVAILABLE, batch.reason());
    }

    @Test
    void aBatchLargerThanTheLogsLargestMessageIsRefusedWholeAndNothingIsOffered() {
        FakeLog log = new FakeLog(0, 4096, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        Ledger origin = member(log);
        TestBatch big = new TestBatch();
        for (int i = 0; i < 10; i++) {
            big.add("ctx", "k", new byte[1000], Map.of());
        }
        LedgerException refused = Callbacks.rejection(TestBatch.appendAsync(origin, big, null));
        assertEquals(LedgerException.Reason.RESOURCE_EXHAUSTED, refused.reason());
        assertTrue(refused.getMessage().contains("largest message of 4096 bytes"), refused.getMessage());
        assertTrue(log.offered.isEmpty());
    }

    @Test
    void writesThatOverflowOneMessageGoInSeveralInOrder() throws Exception {
        FakeLog log = new FakeLog(0, 4096, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        Ledger origin = member(log);
        List<Callbacks.AppendFuture> acks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            acks.add(Callbacks.appendAsync(origin, "ctx", "k", new byte[1000], Map.of()));
        }
        long position = 0;
        int messages = 0;
        while (acks.stream().anyMatch(a -> !a.isDone())) {
            position = commitNext(log, position, 5, origin);
            messages++;
        }
        assertTrue(messages >= 5, "20 KB in messages of at most 4 KiB: " + messages);
        for (int i = 0; i < 20; i++) {
            assertEquals(i + 1, Callbacks.await(acks.get(i)).sequence());
        }
    }

    @Test
    void aLoadThroughTheLogRestoresOnEveryMemberAndFailIfExistsIsRefusedOnTheOrigin() throws Exception {
        Ledger source = Ledger.start(LedgerConfig.defaults().withStorage(StorageConfig.memory()));
        ledgers.add(source);
        for (int i = 0; i < 3; i++) {
            Callbacks.append(source, "src", "k", "v" + i);
        }
        byte[] blob = source.snapshot("src").blob();
        FakeLog log = new FakeLog(0, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        Ledger origin = member(log);
        Ledger other = member(new FakeLog(1, 1 << 20, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)));
        Callbacks.LoadFuture loaded = Callbacks.loadAsync(origin, "dst", blob, false);
        long position = commitNext(log, 0, 7, origin, other);
        assertEquals(3, Callbacks.await(loaded).entriesRestored());
        for (long s = 1; s <= 3; s++) {
            assertEquals(origin.view("dst").entry(s), other.view("dst").entry(s));
        }
        Callbacks.LoadFuture again = Callbacks.loadAsync(origin, "dst", blob, true);
        commitNext(log, position, 8, origin, other);
        assertEquals(LedgerException.Reason.ALREADY_EXISTS, Callbacks.rejection(again).reason());
        assertEquals(3, other.view("dst").latestSequence(), "the refused Load changed nothing on the other member");
    }
}
