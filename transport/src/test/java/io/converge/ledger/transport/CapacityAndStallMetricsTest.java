package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchRequest;
import io.converge.ledger.core.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The meters the alert rules in docs/grafana/alerts.yml divide by or watch: the ring's size,
 * the memory and disk budgets, and Watch streams stalled by a client that stopped reading.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class CapacityAndStallMetricsTest extends ServedOverBothTransports {
    private static final long DISK_BUDGET = 3L * StorageConfig.MIN_SEGMENT_BYTES + 12345;

    private MetricsClient metrics;

    @Override
    ServerSettings settings() {
        ServerSettings d = ServerSettings.defaults().withMetricsPort(0);
        return d.withLedger(d.ledger().withMemoryBudgetBytes(123_456_789L)
            .withStorage(d.ledger().storage().withDiskBudgetBytes(DISK_BUDGET)));
    }

    private MetricsClient metrics() {
        if (metrics == null) {
            metrics = new MetricsClient(fixture.server.metricsPort());
        }
        return metrics;
    }

    @Test
    void theCapacitiesAreServedBesideWhatIsUsedOfThem() throws Exception {
        Map<String, Double> samples = metrics().scrape();
        assertEquals(65536, samples.get("ledger_ring_size"));
        assertEquals(123_456_789, samples.get("ledger_memory_budget_bytes"));
        if (storage == Storage.FILES) {
            assertEquals(3.0 * StorageConfig.MIN_SEGMENT_BYTES, samples.get("ledger_store_budget_bytes"),
                "the whole segments that fit in the disk budget");
        } else {
            assertFalse(samples.containsKey("ledger_store_budget_bytes"), "records in memory have no disk budget");
        }
        assertEquals(0, samples.get("ledger_watchers_stalled"));
        assertEquals(0, samples.get("ledger_watchers_stalled_longest_seconds"));
    }

    @Test
    void aWatcherWhoseClientStopsReadingCountsAsStalledUntilItReadsAgain() throws Exception {
        WatchRecorder stalled = WatchRecorder.manual(0);
        ContextServiceGrpc.newStub(fixture.openChannelWithFixedWindow(64 * 1024))
            .watch(WatchRequest.newBuilder().setContextId("ctx").build(), stalled);
        WatchRecorder reading = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("ctx").build(), reading);
        await("both watches registered", 10, () -> fixture.server.ledger().stats().watchersOpen() == 2);

        int n = 100;
        List<Entry> appended = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            appended.add(append(fixture.blocking(), "ctx", "k", bytes(8 * 1024, i), Map.of()));
        }
        assertEquals(appended, reading.awaitEntries(n), "the reading watcher got everything");
        await("one watcher stalled", 10, () -> scrape("ledger_watchers_stalled") == 1);
        double since = scrape("ledger_watchers_stalled_longest_seconds");
        await("the stall grows older", 10, () -> scrape("ledger_watchers_stalled_longest_seconds") > since);

        // One more than is stored: a client that has asked for more is reading. (In-process, a
        // stream is ready only while its client has requests outstanding; the server now asks
        // after every message it sends, so a client that asked for exactly what it got stays
        // "not ready" there.)
        stalled.request(n + 1);
        assertEquals(appended, stalled.awaitEntries(n));
        await("no watcher stalled", 10, () -> scrape("ledger_watchers_stalled") == 0
            && scrape("ledger_watchers_stalled_longest_seconds") == 0);
        assertTrue(reading.entries().size() == n);
    }

    private double scrape(String series) {
        try {
            return metrics().value(series);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
