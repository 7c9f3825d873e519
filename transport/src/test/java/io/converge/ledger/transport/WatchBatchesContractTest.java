package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.range;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Extension: batched watch": the semantics of Watch (replay then live, no gap,
 * no duplicate, key filter, flow control, cancelling frees), with one or more consecutive
 * matching entries per message, up to the response-size cap, never held back for more.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class WatchBatchesContractTest extends ServedOverBothTransports {
    private static final int CAP = 64 * 1024;

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withGetResponseCapBytes(CAP);
    }

    private WatchBatchRecorder watch(WatchBatchRecorder recorder, String contextId, String key, long from) {
        fixture.async().watchBatches(WatchRequest.newBuilder()
            .setContextId(contextId).setKey(key).setFromSequence(from).build(), recorder);
        return recorder;
    }

    private WatchBatchRecorder watch(String contextId, String key, long from) {
        return watch(WatchBatchRecorder.automatic(), contextId, key, from);
    }

    private void awaitWatchers(int n) throws InterruptedException {
        await(n + " watches registered (now " + fixture.server.ledger().stats().watchersOpen() + ")", 10,
            () -> fixture.server.ledger().stats().watchersOpen() == n);
    }

    @Test
    void replaysTheStoredEntriesManyToAMessageThenStreamsNewOnesInOrder() throws Exception {
        List<Entry> appended = new ArrayList<>(appendMany(fixture, "ctx", 300));
        WatchBatchRecorder watcher = watch("ctx", "", 0);
        assertEquals(appended, watcher.awaitEntries(300), "the stored entries, whole, in order");
        assertTrue(watcher.messageSizes().size() < 300 / 10,
            "stored entries that are all ready go many to a message: " + watcher.messageEntries());
        appended.addAll(appendMany(fixture, "ctx", 5));
        assertEquals(appended, watcher.awaitEntries(305), "then each new one as it is appended");
        assertEquals(oneTo(305), sequences(appended));
        assertFalse(watcher.ended(), "the stream stays open while the client keeps it");
    }

    @Test
    void aLoneNewEntryIsSentAtOnceNotHeldBackForMore() throws Exception {
        WatchBatchRecorder watcher = watch("ctx", "", 0);
        awaitWatchers(1);
        Entry only = append(fixture, "ctx", "k", "alone");
        assertEquals(List.of(only), watcher.awaitEntries(1));
        assertEquals(List.of(1), watcher.messageEntries());
    }

    @Test
    void fromSequenceAndAKeyFilterSelectAsForWatch() throws Exception {
        for (String key : new String[] {"a", "b", "a", "", "ab"}) {
            append(fixture, "ctx", key, "p");
        }
        WatchBatchRecorder onlyA = watch("ctx", "a", 0);
        WatchBatchRecorder afterThree = watch("ctx", "", 3);
        assertEquals(List.of(1L, 3L), sequences(onlyA.awaitEntries(2)));
        assertEquals(List.of(4L, 5L), sequences(afterThree.awaitEntries(2)));
        for (String key : new String[] {"b", "A", "a", "b", "a"}) {
            append(fixture, "ctx", key, "p");
        }
        assertEquals(List.of(1L, 3L, 8L, 10L), sequences(onlyA.awaitEntries(4)));
        onlyA.entries().forEach(e -> assertEquals("a", e.getKey()));
        assertEquals(range(4, 10), sequences(afterThree.awaitEntries(7)));
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
        List<WatchBatchRecorder> watchers = new ArrayList<>();
        for (int startAt : new int[] {0, 1, n / 3, 2 * n / 3}) {
            await(startAt + " appends", 30, () -> appended.get() >= startAt || appender.isDone());
            watchers.add(watch("ctx", "", 0));
        }
        appender.get(60, TimeUnit.SECONDS);
        Entry sentinel = append(fixture, "ctx", "k", "sentinel");
        assertEquals(n + 1, sentinel.getSequence());
        for (WatchBatchRecorder w : watchers) {
            assertEquals(oneTo(n + 1), sequences(w.awaitEntries(n + 1)));
        }
    }

    @Test
    void noMessageExceedsTheResponseCapAndAnEntryLargerThanItGoesAlone() throws Exception {
        List<Entry> appended = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            appended.add(append(fixture.blocking(), "ctx", "k", bytes(8 * 1024, i), Map.of()));
        }
        appended.add(append(fixture.blocking(), "ctx", "k", bytes(CAP + 1, 99), Map.of()));
        appended.add(append(fixture.blocking(), "ctx", "k", bytes(10, 100), Map.of()));
        WatchBatchRecorder watcher = watch("ctx", "", 0);
        assertEquals(appended, watcher.awaitEntries(appended.size()));
        List<Integer> sizes = watcher.messageSizes();
        List<Integer> counts = watcher.messageEntries();
        for (int m = 0; m < sizes.size(); m++) {
            assertTrue(sizes.get(m) <= CAP || counts.get(m) == 1,
                "message " + m + " of " + counts.get(m) + " entries is " + sizes.get(m) + " bytes, over the cap");
        }
        assertTrue(counts.stream().anyMatch(c -> c > 1), "small entries shared messages: " + counts);
    }

    @Test
    void aPausedBatchWatcherSlowsNeitherAppendsNorAnotherWatcherAndThenCatchesUpInOrder() throws Exception {
        int n = 1000;
        WatchBatchRecorder paused = watch(WatchBatchRecorder.manual(1), "ctx", "", 0);
        WatchBatchRecorder reading = watch("ctx", "", 0);
        awaitWatchers(2);
        List<Entry> appended = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            appended.add(append(fixture.blocking(), "ctx", "k", bytes(1024, i), Map.of()));
        }
        assertEquals(appended, reading.awaitEntries(n), "the other watcher got everything");
        paused.awaitEntries(1);
        int before = paused.entries().size();
        assertTrue(before < n, "the paused watcher got one message, not everything: " + before);
        paused.request(Integer.MAX_VALUE);
        assertEquals(appended, paused.awaitEntries(n), "after resuming: everything, in order");
    }

    @Test
    void cancellingABatchWatchFreesIt() throws Exception {
        List<WatchBatchRecorder> watchers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            watchers.add(watch(i % 2 == 0 ? WatchBatchRecorder.automatic() : WatchBatchRecorder.manual(0),
                i % 3 == 0 ? "ctx" : "other-" + i, "", 0));
        }
        awaitWatchers(6);
        for (int i = 0; i < 100; i++) {
            append(fixture.blocking(), "ctx", "k", bytes(4096, i), Map.of());
        }
        watchers.get(0).awaitEntries(100);
        for (WatchBatchRecorder w : watchers) {
            w.cancel();
        }
        awaitWatchers(0);
        await("the server's watch streams are freed", 10, () -> fixture.server.watches().open() == 0);
        await("their bytes in flight are released", 10, () -> fixture.server.watches().budget().inFlight() == 0);
        for (WatchBatchRecorder w : watchers) {
            assertEquals(Status.Code.CANCELLED, w.awaitEnd().getCode());
        }
    }

    @Test
    void aClientThatGoesAwayFreesItsBatchWatches() throws Exception {
        ManagedChannel channel = fixture.openStockChannel();
        List<WatchBatchRecorder> watchers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WatchBatchRecorder w = WatchBatchRecorder.automatic();
            ContextServiceGrpc.newStub(channel).watchBatches(WatchRequest.newBuilder().setContextId("ctx").build(), w);
            watchers.add(w);
        }
        awaitWatchers(3);
        appendMany(fixture, "ctx", 2);
        for (WatchBatchRecorder w : watchers) {
            assertEquals(oneTo(2), sequences(w.awaitEntries(2)));
        }
        channel.shutdownNow();
        assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS));
        awaitWatchers(0);
        await("the server's watch streams are freed", 10, () -> fixture.server.watches().open() == 0);
    }

    @Test
    void shutdownEndsABatchWatchWithUnavailableNamingTheSequenceToResumeAfter() throws Exception {
        appendMany(fixture, "ctx", 7);
        WatchBatchRecorder watcher = watch("ctx", "", 2);
        watcher.awaitEntries(5);
        fixture.server.close();
        Status end = watcher.awaitEnd();
        assertEquals(Status.Code.UNAVAILABLE, end.getCode());
        assertEquals("the server is shutting down; resume after sequence 7", end.getDescription());
    }
}
