package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.range;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONTRACT.md, "Watch": replay then live, filters, no gap and no duplicate at the boundary. */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class WatchContractTest extends ServedOverBothTransports {
    private WatchRecorder watch(String contextId, String key, long fromSequence) {
        WatchRecorder recorder = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder()
            .setContextId(contextId).setKey(key).setFromSequence(fromSequence).build(), recorder);
        return recorder;
    }

    private void awaitWatchers(int n) throws InterruptedException {
        await(n + " watches registered", 10, () -> fixture.server.ledger().stats().watchersOpen() == n);
    }

    @Test
    void replaysTheStoredEntriesThenStreamsEachNewOneInOrder() throws Exception {
        List<Entry> appended = new ArrayList<>(appendMany(fixture, "ctx", 3));
        WatchRecorder watcher = watch("ctx", "", 0);
        assertEquals(appended, watcher.awaitEntries(3), "the stored entries, whole, in order");
        appended.addAll(appendMany(fixture, "ctx", 3));
        assertEquals(oneTo(6), sequences(appended));
        assertEquals(appended, watcher.awaitEntries(6), "then each new one as it is appended");
        assertFalse(watcher.ended(), "the stream stays open while the client keeps it");
    }

    @Test
    void fromSequenceStreamsOnlyEntriesWithAGreaterSequence() throws Exception {
        appendMany(fixture, "ctx", 5);
        WatchRecorder fromThree = watch("ctx", "", 3);
        WatchRecorder fromLatest = watch("ctx", "", 5);
        WatchRecorder fromBeyond = watch("ctx", "", 7);
        assertEquals(List.of(4L, 5L), sequences(fromThree.awaitEntries(2)));
        awaitWatchers(3);
        appendMany(fixture, "ctx", 3);
        assertEquals(range(4, 8), sequences(fromThree.awaitEntries(5)));
        assertEquals(range(6, 8), sequences(fromLatest.awaitEntries(3)));
        assertEquals(List.of(8L), sequences(fromBeyond.awaitEntries(1)));
    }

    @Test
    void aKeyFilterStreamsOnlyEntriesWithThatKeyAndAnEmptyOneAnyKey() throws Exception {
        for (String key : new String[] {"a", "b", "a", "", "ab"}) {
            append(fixture, "ctx", key, "p");
        }
        WatchRecorder onlyA = watch("ctx", "a", 0);
        WatchRecorder any = watch("ctx", "", 0);
        assertEquals(List.of(1L, 3L), sequences(onlyA.awaitEntries(2)));
        for (String key : new String[] {"b", "A", "a", "b", "a"}) {
            append(fixture, "ctx", key, "p");
        }
        // Entries arrive in order, so once 10 arrived every non-matching one before it was skipped.
        assertEquals(List.of(1L, 3L, 8L, 10L), sequences(onlyA.awaitEntries(4)));
        onlyA.entries().forEach(e -> assertEquals("a", e.getKey()));
        assertEquals(oneTo(10), sequences(any.awaitEntries(10)));
    }

    @Test
    void appendsRacingTheSubscriptionAreDeliveredExactlyOnceWithNoGap() throws Exception {
        int n = 2000;
        AtomicInteger appended = new AtomicInteger();
        CompletableFuture<Void> appender = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                append(fixture, "ctx", "k", "p" + i);
                appended.incrementAndGet();
            }
        });
        // Watches start at different points of the stream of appends: each crosses the
        // replay/live boundary while entries keep coming.
        List<WatchRecorder> watchers = new ArrayList<>();
        for (int startAt : new int[] {0, 1, n / 3, 2 * n / 3}) {
            await(startAt + " appends", 30, () -> appended.get() >= startAt || appender.isDone());
            watchers.add(watch("ctx", "", 0));
        }
        appender.get(60, TimeUnit.SECONDS);
        Entry sentinel = append(fixture, "ctx", "k", "sentinel");
        assertEquals(n + 1, sentinel.getSequence());
        for (WatchRecorder w : watchers) {
            // Nothing can follow the sentinel, so a duplicate or a gap would show in these n + 1.
            assertEquals(oneTo(n + 1), sequences(w.awaitEntries(n + 1)));
        }
    }

    @Test
    void aWatchOnAnUnknownContextWaitsForItsFirstEntry() throws Exception {
        WatchRecorder watcher = watch("not-yet", "", 0);
        awaitWatchers(1);
        assertTrue(watcher.entries().isEmpty());
        assertFalse(watcher.ended(), "a watch on an unknown context waits rather than ends");
        Entry first = append(fixture, "not-yet", "k", "first");
        assertEquals(List.of(first), watcher.awaitEntries(1));
        Entry second = append(fixture, "not-yet", "k", "second");
        assertEquals(List.of(first, second), watcher.awaitEntries(2));
    }

    @Test
    void twoWatchersOfOneContextBothReceiveEverything() throws Exception {
        WatchRecorder one = watch("ctx", "", 0);
        WatchRecorder two = WatchRecorder.automatic();
        ContextServiceGrpc.newStub(fixture.openStockChannel())
            .watch(WatchRequest.newBuilder().setContextId("ctx").build(), two);
        awaitWatchers(2);
        List<Entry> appended = appendMany(fixture, "ctx", 200);
        assertEquals(appended, one.awaitEntries(200));
        assertEquals(appended, two.awaitEntries(200));
    }

    @Test
    void aFromSequenceBeyondAnyPossibleSequenceStreamsNothingAndKeepsTheStreamOpen() throws Exception {
        appendMany(fixture, "ctx", 3);
        WatchRecorder maxLong = watch("ctx", "", Long.MAX_VALUE);
        WatchRecorder maxUint64 = watch("ctx", "", -1L); // 2^64 - 1 on the wire
        WatchRecorder control = watch("ctx", "", 0);
        awaitWatchers(3);
        appendMany(fixture, "ctx", 3);
        assertEquals(oneTo(6), sequences(control.awaitEntries(6)));
        // Still registered and healthy: a graceful close ends each of them with UNAVAILABLE and
        // the sequence to resume after (a watch that failed inside the server would be left
        // for the shutdown grace period to cut, without that sequence).
        fixture.server.close();
        for (WatchRecorder w : List.of(maxLong, maxUint64, control)) {
            io.grpc.Status end = w.awaitEnd();
            assertEquals(io.grpc.Status.Code.UNAVAILABLE, end.getCode());
            assertTrue(end.getDescription().contains("resume after sequence"), end.toString());
        }
        assertTrue(maxLong.entries().isEmpty());
        assertTrue(maxUint64.entries().isEmpty());
    }

    @Test
    void watchersOfOtherContextsSeeNothingOfThisOne() throws Exception {
        WatchRecorder other = watch("other", "", 0);
        awaitWatchers(1);
        appendMany(fixture, "ctx", 20);
        Entry mine = append(fixture, "other", "k", "mine");
        assertEquals(List.of(mine), other.awaitEntries(1));
        assertEquals(1, other.entries().size());
    }
}
