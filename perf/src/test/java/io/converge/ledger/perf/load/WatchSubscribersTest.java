package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class WatchSubscribersTest {
    @TempDir
    Path out;

    @Test
    void everyWatcherReceivesEveryEntryOfItsContextInOrder() throws Exception {
        try (LedgerOnLoopback ledger = new LedgerOnLoopback()) {
            LoadOptions options = LoadOptions.parse("--target", ledger.target(), "--callers", "6", "--contexts", "2",
                "--watchers", "5", "--duration", "700ms", "--warmup", "200ms", "--run-id", "watch",
                "--out", out.toString());
            LoadResult r = LoadRunner.run(options);
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertEquals(5, r.watchers().size());
            long deliveredInAll = 0;
            for (WatchSubscribers.WatcherReport w : r.watchers()) {
                long stored = ledger.server.ledger().view(options.contextId(w.context())).latestSequence();
                assertEquals(w.watcher() % 2, w.context(), "spread round-robin over the contexts");
                assertTrue(w.complete(), w.toString());
                assertEquals(stored, w.expected(), "watched from sequence 0 of a fresh context");
                assertEquals(stored, w.received());
                assertEquals(0, w.gaps());
                deliveredInAll += w.received();
            }
            assertTrue(deliveredInAll > 0);
            assertTrue(r.watchLatency().getTotalCount() > 0);
            assertEquals(r.watchDeliveries(), r.watchLatency().getTotalCount());
            assertTrue(r.watchDeliveries() <= deliveredInAll);
            LoadMain.writeFiles(r);
            assertTrue(Files.readString(out.resolve(LoadMain.WATCH_HGRM)).contains("Percentile"));
            assertTrue(Files.readString(out.resolve(LoadMain.HTML)).contains("watch, append send to watch receive"));
            assertTrue(LatencyReport.resultLine(r).contains(" watchers_complete=5/5 "));
        }
    }

    /** Issue 11: WatchBatches watchers of an AppendStream appender of 100-entry batches, beside stalled ones. */
    @Test
    void batchWatchersOfAStreamAppenderReceiveEveryEntryInOrderBesideStalledWatchers() throws Exception {
        try (LedgerOnLoopback ledger = new LedgerOnLoopback()) {
            LoadOptions options = LoadOptions.parse("--target", ledger.target(), "--rpc", "stream", "--streams", "1",
                "--batch", "100", "--watchers", "3", "--watch-rpc", "batches", "--stalled-watchers", "20",
                "--duration", "700ms", "--warmup", "200ms", "--run-id", "watchbatches", "--out", out.toString());
            LoadResult r = LoadRunner.run(options);
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertEquals(3, r.watchers().size());
            long stored = ledger.server.ledger().view(options.contextId(0)).latestSequence();
            assertTrue(stored >= 100);
            for (WatchSubscribers.WatcherReport w : r.watchers()) {
                assertTrue(w.complete(), w.toString());
                assertEquals(stored, w.received());
            }
            assertTrue(r.watchLatency().getTotalCount() > 0);
        }
    }

    @Test
    void theSendTimeStampSurvivesTheRoundTripThroughThePayload() throws Exception {
        AppendRequests requests = new AppendRequests(LoadOptions.parse("--watchers", "1", "--payload", "20"));
        long now = System.nanoTime();
        AppendRequest request = requests.request(0, now);
        assertEquals(20, request.getPayload().size());
        assertEquals(now, AppendRequests.stamp(request.getPayload()));
        assertEquals(-5L, AppendRequests.stamp(requests.request(0, -5L).getPayload()), "negative nanoTime too");
    }
}
