package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Watch": a slow watcher never slows appends or other watchers, it is paced
 * by gRPC flow control, and cancelling a Watch frees all it held.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class WatchFlowControlContractTest extends ServedOverBothTransports {
    private WatchRecorder watch(WatchRecorder recorder, String contextId) {
        fixture.async().watch(WatchRequest.newBuilder().setContextId(contextId).build(), recorder);
        return recorder;
    }

    private int watchersOpen() {
        return fixture.server.ledger().stats().watchersOpen();
    }

    private void awaitWatchersOpen(int n) throws InterruptedException {
        await(n + " watches open on the server (now " + watchersOpen() + ")", 10, () -> watchersOpen() == n);
    }

    @Test
    void aPausedWatcherSlowsNeitherAppendsNorAnotherWatcherAndThenCatchesUpInOrder() throws Exception {
        int n = 2000;
        WatchRecorder paused = watch(WatchRecorder.manual(1), "ctx");
        WatchRecorder reading = watch(WatchRecorder.automatic(), "ctx");
        awaitWatchersOpen(2);

        // Every append carries the standard deadline: a stalled appender fails the test.
        List<Entry> appended = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            appended.add(append(fixture.blocking(), "ctx", "k", bytes(1024, i), Map.of()));
        }
        assertEquals(appended, reading.awaitEntries(n), "the other watcher got everything");
        assertEquals(List.of(appended.get(0)), paused.awaitEntries(1), "the paused watcher asked for one");
        assertEquals(1, paused.entries().size());

        paused.request(n - 1);
        assertEquals(appended, paused.awaitEntries(n), "after resuming: everything, in order");
        assertEquals(2, watchersOpen());
    }

    @Test
    void aWatcherThatReadsNothingIsSentNoMoreThanFlowControlAllows() throws Exception {
        SentWatchMessages sent = new SentWatchMessages();
        try (LedgerFixture f = LedgerFixture.start(transport, ServerSettings.defaults(), sent)) {
            int n = 1000;
            int payload = 8 * 1024;
            int window = 1024 * 1024;
            WatchRecorder stalled = WatchRecorder.manual(0);
            ContextServiceGrpc.newStub(f.openChannelWithFixedWindow(window))
                .watch(WatchRequest.newBuilder().setContextId("ctx").build(), stalled);
            await("the stalled watch reached the server", 10, () -> sent.watchCalls() == 1);
            WatchRecorder reading = WatchRecorder.automatic();
            f.async().watch(WatchRequest.newBuilder().setContextId("ctx").build(), reading);
            await("both watches registered", 10, () -> f.server.ledger().stats().watchersOpen() == 2);

            List<Entry> appended = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                appended.add(append(f.blocking(), "ctx", "k", bytes(payload, i), Map.of()));
            }
            assertEquals(appended, reading.awaitEntries(n));
            // 8 MiB were appended; a client window of 1 MiB (plus gRPC's 32 KiB send
            // threshold) bounds what the server may hand to the transport for the stalled one.
            int handedOver = sent.count(0);
            assertTrue(handedOver * payload < 3 * window,
                handedOver + " entries of " + payload + " bytes queued for a watcher that read nothing");

            stalled.request(n);
            assertEquals(appended, stalled.awaitEntries(n), "nothing was lost while it stalled");
        }
    }

    @Test
    void cancellingAWatchFreesItsSubscription() throws Exception {
        List<WatchRecorder> watchers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            watchers.add(watch(WatchRecorder.automatic(), i % 2 == 0 ? "ctx" : "unknown-" + i));
        }
        awaitWatchersOpen(10);
        appendMany(fixture, "ctx", 5);
        watchers.get(0).awaitEntries(5);

        for (WatchRecorder w : watchers) {
            w.cancel();
        }
        awaitWatchersOpen(0);
        for (WatchRecorder w : watchers) {
            assertEquals(Status.Code.CANCELLED, w.awaitEnd().getCode());
        }
        assertEquals(6, append(fixture, "ctx", "k", "after").getSequence(), "the ledger carries on");
    }

    @Test
    void cancellingAPausedWatchWithABacklogFreesIt() throws Exception {
        WatchRecorder paused = watch(WatchRecorder.manual(0), "ctx");
        awaitWatchersOpen(1);
        for (int i = 0; i < 300; i++) {
            append(fixture.blocking(), "ctx", "k", bytes(1024, i), Map.of());
        }
        paused.cancel();
        awaitWatchersOpen(0);
    }

    @Test
    void cancellingTheContextOfABlockingWatchFreesIt() throws Exception {
        appendMany(fixture, "ctx", 3);
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            Iterator<WatchEvent> events = context.call(() -> fixture.blocking()
                .watch(WatchRequest.newBuilder().setContextId("ctx").build()));
            assertEquals(1, events.next().getEntry().getSequence());
            awaitWatchersOpen(1);
        } finally {
            context.cancel(null);
        }
        awaitWatchersOpen(0);
    }

    @Test
    void aClientThatGoesAwayFreesItsWatches() throws Exception {
        ManagedChannel channel = fixture.openStockChannel();
        List<WatchRecorder> watchers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WatchRecorder w = WatchRecorder.automatic();
            ContextServiceGrpc.newStub(channel).watch(WatchRequest.newBuilder().setContextId("ctx").build(), w);
            watchers.add(w);
        }
        awaitWatchersOpen(3);
        appendMany(fixture, "ctx", 2);
        for (WatchRecorder w : watchers) {
            assertEquals(oneTo(2), sequences(w.awaitEntries(2)));
        }
        channel.shutdownNow();
        assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS));
        awaitWatchersOpen(0);
    }

    @Test
    void aWatchWhoseDeadlinePassesIsFreed() throws Exception {
        WatchRecorder w = WatchRecorder.automatic();
        fixture.async().withDeadlineAfter(200, TimeUnit.MILLISECONDS)
            .watch(WatchRequest.newBuilder().setContextId("ctx").build(), w);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, w.awaitEnd().getCode());
        awaitWatchersOpen(0);
    }
}
