package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.converge.ledger.transport.ContractSupport.MAX_PAYLOAD;
import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static io.converge.ledger.transport.ContractSupport.utf8OfBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Bad input": every row of the table, for every rpc it applies to, gets its
 * precise status and a message naming what was wrong, and changes nothing; the limits
 * themselves (1024 bytes, 64 KiB) are accepted. Lengths are UTF-8 bytes, not chars.
 * (Payload and memory-budget rows: {@link AppendContractTest}, {@link MemoryBudgetContractTest};
 * blob problems: {@link CorruptSnapshotContractTest}; unparsable requests: {@link MalformedRequestTest}.)
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class BadInputContractTest extends ServedOverBothTransports {
    private static final String SEEDED = "seeded";
    private static final int MAX_METADATA = 64 * 1024;

    /** One bad request: what it is, the status and the word its message must contain. */
    record Row(String name, Status.Code code, String mentions, Consumer<LedgerFixture> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> rows() {
        String empty = "";
        String id1025 = utf8OfBytes(1025);
        String id1026In342Chars = "€".repeat(342);
        String key1025 = utf8OfBytes(1025);
        Status.Code invalid = Status.Code.INVALID_ARGUMENT;
        return Stream.of(
            new Row("Append, empty context_id", invalid, "context_id", f -> appendTo(f, empty, "k", Map.of())),
            new Row("Append, context_id of 1025 bytes", invalid, "context_id",
                f -> appendTo(f, id1025, "k", Map.of())),
            new Row("Append, context_id of 342 chars but 1026 bytes", invalid, "context_id",
                f -> appendTo(f, id1026In342Chars, "k", Map.of())),
            new Row("Append, key of 1025 bytes", invalid, "key", f -> appendTo(f, SEEDED, key1025, Map.of())),
            new Row("Append, key of 342 chars but 1026 bytes", invalid, "key",
                f -> appendTo(f, SEEDED, "€".repeat(342), Map.of())),
            new Row("Append, metadata of 65,537 bytes in one value", invalid, "metadata",
                f -> appendTo(f, SEEDED, "k", Map.of("k", "v".repeat(MAX_METADATA)))),
            new Row("Append, metadata over 64 KiB counting the keys", invalid, "metadata",
                f -> appendTo(f, SEEDED, "k", Map.of("a".repeat(40_000), "", "b".repeat(25_537), ""))),
            new Row("Append, metadata of 65,537 bytes in multi-byte chars", invalid, "metadata",
                f -> appendTo(f, SEEDED, "k", metadataOfBytes(MAX_METADATA + 1))),
            new Row("Append, payload of 4 MiB + 1 byte", Status.Code.RESOURCE_EXHAUSTED, "payload",
                f -> f.blocking().append(AppendRequest.newBuilder().setContextId(SEEDED)
                    .setPayload(ByteString.copyFrom(new byte[MAX_PAYLOAD + 1])).build())),

            new Row("Get, empty context_id", invalid, "context_id", f -> getFrom(f, empty, "")),
            new Row("Get, context_id of 1025 bytes", invalid, "context_id", f -> getFrom(f, id1025, "")),
            new Row("Get, key filter of 1025 bytes", invalid, "key", f -> getFrom(f, SEEDED, key1025)),

            new Row("Snapshot, empty context_id", invalid, "context_id", f -> snapshotOf(f, empty)),
            new Row("Snapshot, context_id of 1025 bytes", invalid, "context_id", f -> snapshotOf(f, id1025)),

            new Row("Load, empty context_id", invalid, "context_id",
                f -> loadInto(f, empty, snapshotOf(f, SEEDED).getSnapshot())),
            new Row("Load, context_id of 1025 bytes", invalid, "context_id",
                f -> loadInto(f, id1025, snapshotOf(f, SEEDED).getSnapshot())),
            new Row("Load, empty snapshot blob into an empty context", invalid, "snapshot",
                f -> loadInto(f, "fresh", ByteString.EMPTY)),
            new Row("Load, empty snapshot blob into a context with entries", invalid, "snapshot",
                f -> loadInto(f, SEEDED, ByteString.EMPTY)),

            new Row("Watch, empty context_id", invalid, "context_id", f -> watchOf(f, empty, "")),
            new Row("Watch, context_id of 1025 bytes", invalid, "context_id", f -> watchOf(f, id1025, "")),
            new Row("Watch, key filter of 1025 bytes", invalid, "key", f -> watchOf(f, SEEDED, key1025)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void isRefusedWithItsStatusAndAMessageSayingWhatWasWrongAndChangesNothing(Row row) {
        List<Entry> seeded = appendMany(fixture, SEEDED, 3);
        var stats = fixture.server.ledger().stats();
        long storedBefore = stats.entriesStored();
        int contextsBefore = fixture.server.ledger().contextCount();

        assertRejected(row.code(), row.mentions(), () -> row.call().accept(fixture));

        assertEquals(seeded, readAll(fixture, SEEDED), "the seeded context is as it was");
        assertEquals(storedBefore, stats.entriesStored(), "nothing was stored");
        assertEquals(contextsBefore, fixture.server.ledger().contextCount(), "no context came into being");
        assertEquals(0, stats.watchersOpen(), "no watch was registered");
        assertEquals(4, append(fixture, SEEDED, "k", "after").getSequence(), "no sequence was used up");
    }

    @Test
    void aContextIdOfOneAndOf1024BytesIsAcceptedByEveryRpc() throws Exception {
        String[] ids = {"x", utf8OfBytes(1024), "\uD83D\uDE00".repeat(256)};
        for (int i = 0; i < ids.length; i++) {
            String id = ids[i];
            int bytes = id.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes == 1 || bytes == 1024);
            Entry e = append(fixture, id, "k", "p");
            assertEquals(1, e.getSequence());
            GetResponse got = getFrom(fixture, id, "");
            assertEquals(List.of(e), got.getEntriesList());
            SnapshotResponse s = snapshotOf(fixture, id);
            assertEquals(1, s.getSequence());
            String copy = bytes == 1 ? "c" : "c" + i + utf8OfBytes(1022);
            LoadResponse loaded = loadInto(fixture, copy, s.getSnapshot());
            assertEquals(1, loaded.getEntriesRestored());
            WatchRecorder w = WatchRecorder.automatic();
            fixture.async().watch(WatchRequest.newBuilder().setContextId(id).build(), w);
            assertEquals(List.of(e), w.awaitEntries(1));
            w.cancel();
        }
    }

    @Test
    void aKeyOf1024BytesIsAcceptedInAnEntryAndAsAGetAndAWatchFilter() throws Exception {
        String key = utf8OfBytes(1024);
        append(fixture, "ctx", "other", "p");
        Entry e = append(fixture, "ctx", key, "p");
        assertEquals(key, e.getKey());
        assertEquals(List.of(e), getFrom(fixture, "ctx", key).getEntriesList());
        WatchRecorder w = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("ctx").setKey(key).build(), w);
        assertEquals(List.of(e), w.awaitEntries(1));
    }

    @Test
    void metadataOfExactly64KiBIsAcceptedAndEchoed() {
        List<Map<String, String>> shapes = List.of(
            Map.of("k", "v".repeat(MAX_METADATA - 1)),
            Map.of("a".repeat(40_000), "", "b".repeat(25_536), ""),
            metadataOfBytes(MAX_METADATA));
        for (Map<String, String> metadata : shapes) {
            Entry e = appendTo(fixture, "ctx", "k", metadata).getEntry();
            assertEquals(metadata, e.getMetadataMap());
            assertEquals(metadata, readAll(fixture, "ctx").get((int) e.getSequence() - 1).getMetadataMap());
        }
    }

    /** Sixteen pairs of multi-byte keys and values whose UTF-8 bytes sum to {@code total}. */
    static Map<String, String> metadataOfBytes(int total) {
        Map<String, String> m = new LinkedHashMap<>();
        int pairs = 16;
        int valueBytes = total - pairs * 3;
        for (int i = 0; i < pairs; i++) {
            int v = i < pairs - 1 ? valueBytes / pairs : valueBytes - (pairs - 1) * (valueBytes / pairs);
            m.put("é" + (char) ('a' + i), utf8OfBytes(v)); // 3-byte keys
        }
        int sum = m.entrySet().stream().mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
            + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
        int chars = m.entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
        assertEquals(total, sum);
        assertTrue(chars < MAX_METADATA, "fewer chars than the limit, so only counting bytes refuses it");
        return m;
    }

    private static io.converge.context.v1.AppendResponse appendTo(LedgerFixture f, String contextId, String key,
                                                                  Map<String, String> metadata) {
        return f.blocking().append(AppendRequest.newBuilder()
            .setContextId(contextId).setKey(key).setPayload(ByteString.copyFromUtf8("p"))
            .putAllMetadata(metadata).build());
    }

    private static GetResponse getFrom(LedgerFixture f, String contextId, String key) {
        return f.blocking().get(GetRequest.newBuilder().setContextId(contextId).setKey(key).build());
    }

    private static SnapshotResponse snapshotOf(LedgerFixture f, String contextId) {
        return f.blocking().snapshot(SnapshotRequest.newBuilder().setContextId(contextId).build());
    }

    private static LoadResponse loadInto(LedgerFixture f, String contextId, ByteString blob) {
        return f.blocking().load(LoadRequest.newBuilder().setContextId(contextId).setSnapshot(blob).build());
    }

    /** A Watch is refused on its stream: reading the first event raises the status. */
    private static void watchOf(LedgerFixture f, String contextId, String key) {
        f.blocking().watch(WatchRequest.newBuilder().setContextId(contextId).setKey(key).build()).hasNext();
    }
}
