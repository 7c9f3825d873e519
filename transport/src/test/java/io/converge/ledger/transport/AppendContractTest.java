package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.context.v1.WatchRequest;
import io.converge.ledger.core.DecodedSnapshot;
import io.converge.ledger.core.SnapshotCodec;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.MAX_PAYLOAD;
import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.assertCloseToNow;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONTRACT.md, "Append": one entry stored and returned whole, totally ordered per context. */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class AppendContractTest extends ServedOverBothTransports {
    @Test
    void returnsTheStoredEntryWholeWithKeyPayloadAndMetadataEchoedAsGiven() {
        byte[] payload = bytes(1000, 1);
        Map<String, String> metadata = Map.of("author", "engine-7", "ünïcode", "värde €", "", "empty key");
        Entry entry = append(fixture.blocking(), "ctx", "fact/42", payload, metadata);

        assertEquals("fact/42", entry.getKey());
        assertArrayEquals(payload, entry.getPayload().toByteArray());
        assertEquals(metadata, entry.getMetadataMap());
        assertEquals(1, entry.getSequence());
        assertFalse(entry.getId().isEmpty(), "an entry has an id");
        assertCloseToNow(entry.getAppendedAtNs(), "appended_at_ns");
        assertEquals(List.of(entry), readAll(fixture, "ctx"), "what Append returned is what was stored");
    }

    @Test
    void anEmptyKeyAnEmptyPayloadAndNoMetadataAreAccepted() {
        Entry entry = append(fixture.blocking(), "ctx", "", new byte[0], Map.of());
        assertEquals("", entry.getKey());
        assertTrue(entry.getPayload().isEmpty());
        assertTrue(entry.getMetadataMap().isEmpty());
        assertEquals(1, entry.getSequence());
    }

    @Test
    void theFirstEntryOfAContextIsSequenceOneAndEachNextIsTheLatestPlusOne() {
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            a.add(append(fixture, "a", "k", "a" + i).getSequence());
            if (i % 2 == 0) {
                b.add(append(fixture, "b", "k", "b" + i).getSequence());
            }
        }
        assertEquals(oneTo(10), a, "each context numbers its own entries from 1");
        assertEquals(oneTo(5), b, "each context numbers its own entries from 1");
        assertEquals(10, latest(fixture, "a"));
        assertEquals(5, latest(fixture, "b"));
    }

    @Test
    void idsAreNonEmptyAndUniqueAcrossContexts() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            String id = append(fixture, "ctx-" + (i % 3), "k", "p").getId();
            assertFalse(id.isEmpty(), "an entry has an id");
            assertTrue(ids.add(id), "id " + id + " was issued twice");
        }
    }

    @Test
    void idsAreUniqueAcrossServerInstances() throws Exception {
        Set<String> first = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            first.add(append(fixture, "ctx", "k", "p" + i).getId());
        }
        // A second server stands in for a restart: a fresh ledger, same context name.
        try (LedgerFixture restarted = LedgerFixture.start(transport)) {
            for (int i = 0; i < 20; i++) {
                String id = append(restarted, "ctx", "k", "p" + i).getId();
                assertFalse(first.contains(id), "id " + id + " was issued by both servers");
            }
        }
    }

    @Test
    void appendedAtIsUnixTimeInNanosecondsAndNeverDecreasesWithinAContext() {
        long previous = 0;
        for (int i = 0; i < 200; i++) {
            Entry e = append(fixture, "ctx", "k", "p" + i);
            assertCloseToNow(e.getAppendedAtNs(), "appended_at_ns");
            assertTrue(e.getAppendedAtNs() >= previous,
                "appended_at_ns decreased at sequence " + e.getSequence());
            previous = e.getAppendedAtNs();
        }
        List<Entry> stored = readAll(fixture, "ctx");
        for (int i = 1; i < stored.size(); i++) {
            assertTrue(stored.get(i).getAppendedAtNs() >= stored.get(i - 1).getAppendedAtNs());
        }
    }

    @Test
    void concurrentAppendersToOneContextGetEverySequenceExactlyOnceEachInItsOwnOrder() throws Exception {
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(append(fixture, "shared", "t" + thread, thread + ":" + i).getSequence());
                    }
                    return mine;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (int t = 0; t < threads; t++) {
                List<Long> mine = results.get(t).get(60, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1), "thread " + t + " saw its own appends reordered");
                }
                for (long s : mine) {
                    assertTrue(all.add(s), "sequence " + s + " was given twice");
                }
            }
            assertEquals(new HashSet<>(oneTo(threads * perThread)), all, "every sequence 1..n exactly once");
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        List<Entry> stored = readAll(fixture, "shared");
        assertEquals(oneTo(threads * perThread), sequences(stored));
        // The stored order agrees with each appender's own order.
        int[] nextOfThread = new int[threads];
        for (Entry e : stored) {
            String[] parts = e.getPayload().toStringUtf8().split(":");
            int thread = Integer.parseInt(parts[0]);
            assertEquals(nextOfThread[thread]++, Integer.parseInt(parts[1]), "order of thread " + thread);
            assertEquals("t" + thread, e.getKey());
        }
    }

    @Test
    void onceAppendReturnedEveryLaterGetSnapshotAndWatchSeesTheEntry() throws Exception {
        // Read on another channel (over Netty another connection): visibility is the
        // server's promise, not an artefact of one connection's ordering.
        ManagedChannel reader = fixture.openStockChannel();
        var readerStub = ContextServiceGrpc.newBlockingStub(reader);
        for (int i = 0; i < 100; i++) {
            Entry e = append(fixture, "ctx", "k" + (i % 2), "p" + i);
            GetResponse got = readerStub.withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder()
                .setContextId("ctx").setAfterSequence(e.getSequence() - 1).build());
            assertEquals(e.getSequence(), got.getLatestSequence());
            assertEquals(List.of(e), got.getEntriesList());
            if (i % 10 == 0) {
                SnapshotResponse snapshot = readerStub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .snapshot(SnapshotRequest.newBuilder().setContextId("ctx").build());
                assertEquals(e.getSequence(), snapshot.getSequence());
                DecodedSnapshot decoded = SnapshotCodec.decode(snapshot.getSnapshot().toByteArray());
                assertEquals(e.getSequence(), decoded.latestSequence());
                assertArrayEquals(e.getPayload().toByteArray(), decoded.payload(decoded.size() - 1));

                WatchRecorder watch = WatchRecorder.automatic();
                ContextServiceGrpc.newStub(reader).watch(WatchRequest.newBuilder()
                    .setContextId("ctx").setFromSequence(e.getSequence() - 1).build(), watch);
                assertEquals(e, watch.awaitEntries(1).get(0));
                watch.cancel();
            }
        }
    }

    @Test
    void aPayloadOfExactlyFourMebibytesIsAcceptedAndReadBackIntact() {
        byte[] payload = bytes(MAX_PAYLOAD, 4);
        Entry entry = append(fixture.blocking(), "big", "k", payload, Map.of());
        assertEquals(1, entry.getSequence());
        assertArrayEquals(payload, entry.getPayload().toByteArray());

        GetResponse got = ContractSupport.get(fixture, "big");
        assertEquals(1, got.getEntriesCount());
        assertArrayEquals(payload, got.getEntries(0).getPayload().toByteArray());
    }

    @Test
    void aPayloadOneByteOverFourMebibytesIsResourceExhaustedAndStoresNothing() {
        append(fixture, "big", "k", "before");
        AppendRequest tooBig = AppendRequest.newBuilder()
            .setContextId("big").setKey("k").setPayload(ByteString.copyFrom(new byte[MAX_PAYLOAD + 1])).build();
        Status status = assertRejected(Status.Code.RESOURCE_EXHAUSTED, "payload",
            () -> fixture.blocking().append(tooBig));
        assertTrue(status.getDescription().contains("4194305") || status.getDescription().contains("4194304"),
            "the message gives the size or the limit: " + status.getDescription());
        assertEquals(1, latest(fixture, "big"), "nothing was stored");
        assertEquals(2, append(fixture, "big", "k", "after").getSequence(), "no sequence was used up");
        assertEquals("before", readAll(fixture, "big").get(0).getPayload().toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPayloadBeyondEvenTheLargestRequestTheServerReadsIsResourceExhausted() {
        // Over 64 MiB, the server's inbound limit: refused by gRPC before the ledger sees it,
        // still with the contract's status for an oversized payload.
        append(fixture, "big", "k", "before");
        AppendRequest huge = AppendRequest.newBuilder().setContextId("big").setKey("k")
            .setPayload(ByteString.copyFrom(new byte[ServerSettings.DEFAULT_MAX_INBOUND_MESSAGE_BYTES + 1])).build();
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "", () -> fixture.blocking().append(huge));
        assertEquals(1, latest(fixture, "big"), "nothing was stored");
    }

    @Test
    void aCompressedPayloadOverFourMebibytesIsResourceExhaustedWhateverItsSizeOnTheWire() {
        append(fixture, "big", "k", "before");
        // Zeros compress to almost nothing: the request is small on the wire, large once inflated
        // (over Netty; the in-process transport passes it uncompressed, and must agree).
        for (int size : new int[] {MAX_PAYLOAD + 1, ServerSettings.DEFAULT_MAX_INBOUND_MESSAGE_BYTES + 1}) {
            AppendRequest request = AppendRequest.newBuilder().setContextId("big").setKey("k")
                .setPayload(ByteString.copyFrom(new byte[size])).build();
            assertRejected(Status.Code.RESOURCE_EXHAUSTED, "",
                () -> fixture.blocking().withCompression("gzip").append(request));
        }
        assertEquals(1, latest(fixture, "big"), "nothing was stored");
        byte[] exactly = new byte[MAX_PAYLOAD];
        assertEquals(2, append(fixture.blocking().withCompression("gzip"), "big", "k", exactly, Map.of())
            .getSequence(), "a compressed payload of exactly 4 MiB is accepted");
    }

    @Test
    void concurrentAppendersOnSeparateConnectionsAreTotallyOrderedToo() throws Exception {
        List<ContextServiceGrpc.ContextServiceBlockingStub> clients = List.of(
            ContextServiceGrpc.newBlockingStub(fixture.channel),
            ContextServiceGrpc.newBlockingStub(fixture.openStockChannel()),
            ContextServiceGrpc.newBlockingStub(fixture.openStockChannel()));
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (var client : clients) {
                results.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        mine.add(append(client.withDeadlineAfter(10, TimeUnit.SECONDS), "shared", "k",
                            new byte[] {(byte) i}, Map.of()).getSequence());
                    }
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> r : results) {
                List<Long> mine = r.get(60, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1));
                }
                all.addAll(mine);
            }
            all.sort(null);
            assertEquals(oneTo(600), all, "every sequence exactly once, whichever connection");
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
