package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.Entry;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.ledger.core.SnapshotCodec;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static io.converge.ledger.transport.SnapshotChunksClient.chunksOf;
import static io.converge.ledger.transport.SnapshotChunksClient.concatenated;
import static io.converge.ledger.transport.SnapshotChunksClient.loadChunks;
import static io.converge.ledger.transport.SnapshotChunksClient.snapshotChunks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Extension: streamed snapshots": SnapshotChunks and LoadChunks move the very
 * blob Snapshot and Load move, in chunks of at most 1 MiB, under Load's rules; unary calls
 * over the message cap name the streamed rpc. The server's clock is fixed, so that two
 * snapshots of the same state are the same bytes.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class StreamedSnapshotContractTest extends ServedOverBothTransports {
    private static final long NOW = ContractSupport.nowNs();
    private static final int CAP = 2 * 1024 * 1024;
    private static final int MIB = 1024 * 1024;

    @Override
    ServerSettings settings() {
        ServerSettings d = ServerSettings.defaults();
        // A day of skew: the hand-made blobs are stamped with the real clock, which moves on.
        return d.withMaxInboundMessageBytes(CAP).withGetResponseCapBytes(CAP).withLedger(d.ledger().withEpochNanos(() -> NOW)
            .withLoadMaxClockSkewNanos(java.util.concurrent.TimeUnit.DAYS.toNanos(1)));
    }

    private SnapshotResponse snapshot(String contextId) {
        return fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId(contextId).build());
    }

    private LoadResponse load(String contextId, byte[] blob, boolean failIfExists) {
        return fixture.blocking().load(LoadRequest.newBuilder().setContextId(contextId)
            .setSnapshot(ByteString.copyFrom(blob)).setFailIfExists(failIfExists).build());
    }

    private void appendVaried(String contextId) {
        append(fixture.blocking(), contextId, "", new byte[0], Map.of());
        append(fixture.blocking(), contextId, "ключ/€/\uD83D\uDE00", bytes(100, 1), Map.of("a", "1", "ü", "€", "", ""));
        append(fixture.blocking(), contextId, "k", bytes(200_000, 2), Map.of("m", "v".repeat(500)));
        appendMany(fixture, contextId, 20);
    }

    /** Three entries of about 1 MiB: a blob larger than the 2 MiB cap. */
    private void appendLarge(String contextId) {
        for (int i = 0; i < 3; i++) {
            append(fixture.blocking(), contextId, "big", bytes(MIB - 100, i), Map.of("i", Integer.toString(i)));
        }
        appendMany(fixture, contextId, 5);
    }

    /** Every field but the id, which a Load into another context makes fresh. */
    private static List<String> withoutIds(List<Entry> entries) {
        return entries.stream().map(e -> e.toBuilder().clearId().build().toString()).collect(Collectors.toList());
    }

    @Test
    void theChunksConcatenatedAreTheBytesOfTheUnarySnapshotAndTheFirstCarriesSequenceAndMetadata() {
        appendVaried("ctx");
        SnapshotResponse unary = snapshot("ctx");
        List<SnapshotChunk> chunks = snapshotChunks(fixture.channel, "ctx");

        assertArrayEquals(unary.getSnapshot().toByteArray(), concatenated(chunks));
        assertEquals(unary.getSequence(), chunks.get(0).getSequence());
        assertEquals(unary.getMetadata(), chunks.get(0).getMetadata());
        assertEquals(23, chunks.get(0).getMetadata().getEntryCount());
        for (SnapshotChunk later : chunks.subList(1, chunks.size())) {
            assertFalse(later.hasMetadata(), "only the first chunk carries metadata");
        }
    }

    @Test
    void anEmptyContextStreamsOneChunkHoldingAValidBlobOfNoEntries() {
        List<SnapshotChunk> chunks = snapshotChunks(fixture.channel, "nothing");
        assertEquals(1, chunks.size());
        assertEquals(0, chunks.get(0).getSequence());
        assertArrayEquals(snapshot("nothing").getSnapshot().toByteArray(), concatenated(chunks));
    }

    @Test
    void aBlobLargerThanTheCapStreamsInChunksOfAtMost1MiBWhileUnarySnapshotNamesSnapshotChunks() {
        appendLarge("big");
        List<SnapshotChunk> chunks = snapshotChunks(fixture.channel, "big");
        assertTrue(chunks.size() >= 3, chunks.size() + " chunks");
        for (SnapshotChunk c : chunks) {
            assertTrue(c.getData().size() <= MIB, "a chunk of " + c.getData().size() + " bytes");
            assertTrue(c.getData().size() > 0, "no empty chunk");
        }
        byte[] blob = concatenated(chunks);
        assertTrue(blob.length > CAP);
        assertEquals(8, SnapshotCodec.decode(blob).size());
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "use SnapshotChunks", () -> snapshot("big"));
    }

    @Test
    void aBlobLargerThanTheCapLoadsThroughLoadChunksWhileUnaryLoadIsRefused() {
        appendLarge("big");
        byte[] blob = concatenated(snapshotChunks(fixture.channel, "big"));
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "", () -> load("copy", blob, false));
        assertEquals(0, latest(fixture, "copy"));

        LoadResponse r = loadChunks(fixture.channel, "copy", false, blob, MIB);
        assertEquals(8, r.getEntriesRestored());
        assertEquals(8, r.getLatestSequence());
        assertEquals(withoutIds(readAll(fixture, "big")), withoutIds(readAll(fixture, "copy")));
    }

    @Test
    void aUnaryLoadThatFitsGrpcsCapButNotTheBlobsRoomIsRefusedNamingLoadChunks() {
        byte[] nearCap = new byte[CAP - 1024];
        ByteBuffer.wrap(nearCap).putInt(SnapshotCodec.MAGIC);
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "use LoadChunks", () -> load("copy", nearCap, false));
    }

    @Test
    void aBlobTakenEitherWayLoadsEitherWay() {
        appendVaried("src");
        List<String> expected = withoutIds(readAll(fixture, "src"));
        byte[] unaryBlob = snapshot("src").getSnapshot().toByteArray();
        byte[] chunkedBlob = concatenated(snapshotChunks(fixture.channel, "src"));
        List<String> targets = new ArrayList<>();
        for (String taken : List.of("unary", "chunked")) {
            byte[] blob = taken.equals("unary") ? unaryBlob : chunkedBlob;
            String viaUnary = taken + "-then-unary";
            assertEquals(23, load(viaUnary, blob, true).getEntriesRestored());
            String viaChunks = taken + "-then-chunks";
            assertEquals(23, loadChunks(fixture.channel, viaChunks, true, blob, 4096).getEntriesRestored());
            targets.add(viaUnary);
            targets.add(viaChunks);
        }
        for (String target : targets) {
            assertEquals(expected, withoutIds(readAll(fixture, target)), target);
        }
    }

    @Test
    void loadChunksIntoTheSnapshotsOwnContextOnAnotherServerKeepsIds() throws Exception {
        appendVaried("ctx");
        byte[] blob = concatenated(snapshotChunks(fixture.channel, "ctx"));
        try (LedgerFixture other = LedgerFixture.start(transport, settings())) {
            assertEquals(23, loadChunks(other.channel, "ctx", false, blob, 1).getEntriesRestored());
            assertEquals(readAll(fixture, "ctx"), readAll(other, "ctx"));
        }
    }

    @Test
    void loadChunksKeepsLoadsRulesAndChangesNothingWhenItRefuses() {
        appendVaried("src");
        byte[] blob = concatenated(snapshotChunks(fixture.channel, "src"));
        appendMany(fixture, "full", 2);

        assertRejected(Status.Code.ALREADY_EXISTS, "fail_if_exists",
            () -> loadChunks(fixture.channel, "full", true, blob, 1000));
        byte[] flipped = blob.clone();
        flipped[blob.length / 2] ^= 1;
        assertRejected(Status.Code.INVALID_ARGUMENT, "CRC-32C", () -> loadChunks(fixture.channel, "empty", false,
            flipped, 1000));
        byte[] cut = java.util.Arrays.copyOf(blob, blob.length - 1);
        assertRejected(Status.Code.INVALID_ARGUMENT, "snapshot", () -> loadChunks(fixture.channel, "empty", false,
            cut, 1000));
        assertRejected(Status.Code.INVALID_ARGUMENT, "empty", () -> loadChunks(fixture.channel, "empty", false,
            new byte[0], 1000));
        assertRejected(Status.Code.INVALID_ARGUMENT, "no chunk", () -> loadChunks(fixture.channel, List.of()));
        assertRejected(Status.Code.INVALID_ARGUMENT, "context", () -> loadChunks(fixture.channel, "", false,
            blob, 1000));
        List<LoadChunk> gap = chunksOf("full", false,
            SnapshotBlobs.run("full", 10, 2), 50);
        assertRejected(Status.Code.FAILED_PRECONDITION, "gap", () -> loadChunks(fixture.channel, gap));

        assertEquals(2, latest(fixture, "full"));
        assertEquals(0, latest(fixture, "empty"));
    }

    @Test
    void aForgedAppendTimeFarInTheFutureIsRefusedNamingTheEntryBothWays() {
        byte[] forged = SnapshotBlobs.withAppendedAt(SnapshotBlobs.run("victim", 1, 3), 2, Long.MAX_VALUE);
        assertRejected(Status.Code.INVALID_ARGUMENT, "sequence 3", () -> load("victim", forged, false));
        assertRejected(Status.Code.INVALID_ARGUMENT, "sequence 3",
            () -> loadChunks(fixture.channel, "victim", false, forged, 7));
        assertEquals(0, latest(fixture, "victim"));
    }

    @Test
    void aForgedCopyOfAnotherContextsIdIsRefusedBothWays() {
        Entry victim = append(fixture, "other", "k", "an entry whose id a forger copies");
        byte[] forged = SnapshotBlobs.withId(SnapshotBlobs.run("mine", 1, 1), 0, victim.getId());
        assertRejected(Status.Code.INVALID_ARGUMENT, victim.getId(), () -> load("mine", forged, false));
        assertRejected(Status.Code.INVALID_ARGUMENT, victim.getId(),
            () -> loadChunks(fixture.channel, "mine", false, forged, 64));
        assertEquals(0, latest(fixture, "mine"));
    }

    @Test
    void withFileStorageLoadChunksStagesUnderTheDataDirectoryAndLeavesNoFileBehind() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(storage == Storage.FILES);
        java.nio.file.Path staging = tempDir.resolve("ledger-data").resolve("load-staging");
        appendLarge("big");
        byte[] blob = concatenated(snapshotChunks(fixture.channel, "big"));
        assertEquals(8, loadChunks(fixture.channel, "copy", false, blob, MIB).getEntriesRestored());
        byte[] flipped = blob.clone();
        flipped[blob.length / 3] ^= 1;
        assertRejected(Status.Code.INVALID_ARGUMENT, "CRC-32C", () -> loadChunks(fixture.channel, "other", false,
            flipped, MIB));
        assertTrue(java.nio.file.Files.isDirectory(staging), "staged under the data directory");
        try (var left = java.nio.file.Files.list(staging)) {
            assertEquals(List.of(), left.collect(Collectors.toList()), "no staging file left behind");
        }
    }
}
