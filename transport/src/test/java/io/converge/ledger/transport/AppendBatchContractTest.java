package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.Entry;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

/** CONTRACT.md, "Extension: batched appends", for AppendBatch: all or nothing, one ack per entry in order. */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class AppendBatchContractTest extends ServedOverBothTransports {

    static AppendRequest entry(String contextId, String key, byte[] payload) {
        return AppendRequest.newBuilder().setContextId(contextId).setKey(key).setPayload(ByteString.copyFrom(payload))
            .build();
    }

    static AppendBatchRequest batch(AppendRequest... entries) {
        return AppendBatchRequest.newBuilder().addAllEntries(List.of(entries)).build();
    }

    /** {@code n} small entries to {@code contextId}, payloads "tag-0", "tag-1", ... */
    static AppendBatchRequest batchOf(String contextId, String tag, int n) {
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (int i = 0; i < n; i++) {
            b.addEntries(entry(contextId, "k", (tag + "-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return b.build();
    }

    @Test
    void everyEntryIsStoredWholeAndAckedInRequestOrderWithConsecutiveSequencesPerContext() {
        append(fixture, "b", "k", "already there");
        AppendBatchRequest request = AppendBatchRequest.newBuilder()
            .addEntries(entry("a", "x", bytes(64, 1)))
            .addEntries(entry("b", "y", bytes(64, 2)))
            .addEntries(AppendRequest.newBuilder(entry("a", "", bytes(0, 3))).putMetadata("m", "värde"))
            .addEntries(entry("b", "z", bytes(4096, 4)))
            .build();

        AppendBatchResponse response = fixture.blocking().appendBatch(request);

        assertEquals(4, response.getAcksCount(), "one ack per entry");
        assertEquals(List.of(1L, 2L, 2L, 3L), response.getAcksList().stream().map(AppendAck::getSequence).toList());
        List<Entry> a = readAll(fixture, "a");
        List<Entry> b = readAll(fixture, "b");
        List<Entry> stored = List.of(a.get(0), b.get(1), a.get(1), b.get(2));
        for (int i = 0; i < 4; i++) {
            AppendRequest sent = request.getEntries(i);
            AppendAck ack = response.getAcks(i);
            Entry e = stored.get(i);
            assertEquals(ack.getSequence(), e.getSequence());
            assertEquals(ack.getId(), e.getId(), "the ack names the stored entry's id");
            assertEquals(ack.getAppendedAtNs(), e.getAppendedAtNs());
            assertCloseToNow(ack.getAppendedAtNs(), "appended_at_ns");
            assertEquals(sent.getKey(), e.getKey());
            assertArrayEquals(sent.getPayload().toByteArray(), e.getPayload().toByteArray());
            assertEquals(sent.getMetadataMap(), e.getMetadataMap());
        }
        Set<String> ids = new HashSet<>();
        response.getAcksList().forEach(ack -> ids.add(ack.getId()));
        assertEquals(4, ids.size(), "every entry gets a fresh id");
    }

    @Test
    void batchedAndUnaryAppendsToOneContextInterleaveIntoOneGapFreeOrder() throws Exception {
        int batches = 50;
        int perBatch = 20;
        int unary = 200;
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<Long>>> answered = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int caller = t;
                answered.add(callers.submit(() -> {
                    List<Long> seen = new ArrayList<>();
                    for (int b = 0; b < batches; b++) {
                        AppendBatchResponse r = fixture.blocking().appendBatch(batchOf("shared", "c" + caller, perBatch));
                        List<Long> s = r.getAcksList().stream().map(AppendAck::getSequence).toList();
                        assertEquals(perBatch, s.size());
                        for (int i = 1; i < s.size(); i++) {
                            assertEquals(s.get(i - 1) + 1, s.get(i), "a batch's entries to one context are consecutive");
                        }
                        seen.addAll(s);
                    }
                    return seen;
                }));
            }
            answered.add(callers.submit(() -> {
                List<Long> seen = new ArrayList<>();
                for (int i = 0; i < unary; i++) {
                    seen.add(append(fixture, "shared", "u", "unary " + i).getSequence());
                }
                return seen;
            }));
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : answered) {
                all.addAll(f.get(LedgerFixture.DEADLINE_SECONDS * 3, TimeUnit.SECONDS));
            }
            int total = 2 * batches * perBatch + unary;
            assertEquals(total, all.size(), "no sequence was given twice");
            assertEquals(oneTo(total), sequences(readAll(fixture, "shared")), "one gap-free order");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aBadEntryRefusesTheWholeBatchWithItsStatusAndIndexAndStoresNothing() {
        append(fixture, "a", "k", "before");
        AppendRequest good = entry("a", "k", bytes(8, 1));
        assertRejected(Status.Code.INVALID_ARGUMENT, "entry 1: context_id",
            () -> fixture.blocking().appendBatch(batch(good, entry("", "k", bytes(8, 2)), good)));
        assertRejected(Status.Code.INVALID_ARGUMENT, "entry 2: key",
            () -> fixture.blocking().appendBatch(batch(good, good, entry("a", "k".repeat(1025), bytes(8, 3)))));
        assertRejected(Status.Code.INVALID_ARGUMENT, "entry 0: metadata", () -> fixture.blocking().appendBatch(batch(
            AppendRequest.newBuilder(good).putMetadata("big", "v".repeat(64 * 1024)).build(), good)));
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "entry 1: payload",
            () -> fixture.blocking().appendBatch(batch(good, entry("b", "k", new byte[MAX_PAYLOAD + 1]))));

        assertEquals(1, latest(fixture, "a"), "nothing of a refused batch was stored");
        assertEquals(0, latest(fixture, "b"));
        assertEquals(1, fixture.server.ledger().stats().entriesStored());
    }

    @Test
    void aBatchOverTheEntryCapIsResourceExhaustedNamingTheFirstEntryBeyondIt() {
        AppendBatchRequest tooMany = batchOf("c", "x", 8193);
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "entry 8192: a batch holds at most 8192 entries",
            () -> fixture.blocking().appendBatch(tooMany));
        assertEquals(0, latest(fixture, "c"));
        assertEquals(8192, fixture.blocking().appendBatch(batchOf("c", "x", 8192)).getAcksCount(),
            "a batch of exactly the cap is stored");
    }

    @Test
    void anEmptyBatchIsAnsweredWithNoAcksAndStoresNothing() {
        assertEquals(0, fixture.blocking().appendBatch(AppendBatchRequest.getDefaultInstance()).getAcksCount());
        assertEquals(0, fixture.server.ledger().stats().entriesStored());
    }
}
