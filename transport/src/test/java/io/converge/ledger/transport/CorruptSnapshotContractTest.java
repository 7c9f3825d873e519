package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.Entry;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertStatus;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * CONTRACT.md, "Load": a blob that is corrupt, truncated, not a snapshot, fails its own
 * check or has an unknown format version is INVALID_ARGUMENT with a message, and changes
 * nothing; never UNKNOWN or INTERNAL. Every blob goes through Load and LoadChunks alike.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class CorruptSnapshotContractTest extends ServedOverBothTransports {
    /** A good blob of three entries of context "src". */
    private byte[] blob;
    /** What "target" (two entries of its own) holds before any bad Load. */
    private List<Entry> targetBefore;
    private long entriesStoredBefore;

    @BeforeEach
    void storeASourceAndATarget() {
        append(fixture.blocking(), "src", "", new byte[0], Map.of());
        append(fixture.blocking(), "src", "ключ", bytes(40, 1), Map.of("a", "1", "ü", "€"));
        append(fixture.blocking(), "src", "k", bytes(20, 2), Map.of());
        SnapshotResponse s = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("src").build());
        blob = s.getSnapshot().toByteArray();
        appendMany(fixture, "target", 2);
        targetBefore = readAll(fixture, "target");
        entriesStoredBefore = fixture.server.ledger().stats().entriesStored();
    }

    /**
     * Loads {@code bytes} with Load and then with LoadChunks (in 7-byte chunks, so that fields
     * straddle them); both must answer alike. Returns that answer.
     */
    private Status loadOutcome(String contextId, byte[] bytes) {
        Status unary;
        try {
            fixture.blocking().load(LoadRequest.newBuilder()
                .setContextId(contextId).setSnapshot(ByteString.copyFrom(bytes)).build());
            unary = Status.OK;
        } catch (StatusRuntimeException e) {
            unary = e.getStatus();
        }
        Status chunked;
        try {
            SnapshotChunksClient.loadChunks(fixture.channel, contextId, false, bytes, 7);
            chunked = Status.OK;
        } catch (StatusRuntimeException e) {
            chunked = e.getStatus();
        }
        assertEquals(unary.getCode(), chunked.getCode(), "Load and LoadChunks answer alike: " + unary + " / " + chunked);
        if (!unary.isOk()) {
            assertEquals(unary.getDescription(), chunked.getDescription());
        }
        return unary;
    }

    private Status assertRefused(String contextId, byte[] bytes, String what) {
        Status status = loadOutcome(contextId, bytes);
        if (status.getCode() != Status.Code.INVALID_ARGUMENT) {
            fail(what + ": expected INVALID_ARGUMENT, got " + status);
        }
        return assertStatus(Status.Code.INVALID_ARGUMENT, "snapshot", status);
    }

    private void assertNothingChanged() {
        assertEquals(targetBefore, readAll(fixture, "target"), "the target with entries is as before");
        assertEquals(0, latest(fixture, "empty"), "the empty target is still empty");
        assertEquals(entriesStoredBefore, fixture.server.ledger().stats().entriesStored(), "nothing was stored");
    }

    @Test
    void theGoodBlobLoadsSoTheRefusalsBelowAreAboutTheDamage() throws Exception {
        try (LedgerFixture other = LedgerFixture.start(transport)) {
            assertEquals(3, other.blocking().load(LoadRequest.newBuilder()
                .setContextId("empty").setSnapshot(ByteString.copyFrom(blob)).build()).getEntriesRestored());
        }
    }

    @Test
    void anEmptyBlobIsInvalidArgument() {
        assertRefused("empty", new byte[0], "empty blob");
        assertRefused("target", new byte[0], "empty blob");
        assertNothingChanged();
    }

    @Test
    void everyTruncationIsInvalidArgumentAndChangesNothing() {
        for (int length = 0; length < blob.length; length++) {
            byte[] cut = Arrays.copyOf(blob, length);
            assertRefused("empty", cut, "truncated to " + length + " bytes");
            assertRefused("target", cut, "truncated to " + length + " bytes");
        }
        assertNothingChanged();
    }

    @Test
    void aTruncatedBodyWithAValidChecksumIsStillInvalidArgument() {
        // Past the checksum, every length and count is checked against what remains.
        for (int length = 8; length < blob.length - SnapshotBlobs.CRC_BYTES; length++) {
            assertRefused("empty", SnapshotBlobs.truncatedWithValidCrc(blob, length),
                "body cut to " + length + " bytes with a valid CRC");
        }
        assertNothingChanged();
    }

    @Test
    void everySingleBitFlipInTheHeaderTheBodyOrTheChecksumIsInvalidArgumentAndChangesNothing() {
        for (int bit = 0; bit < blob.length * 8; bit++) {
            byte[] flipped = blob.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            Status status = assertRefused("empty", flipped, "bit " + bit + " of " + blob.length * 8 + " flipped");
            if (bit / 8 >= SnapshotBlobs.VERSION_OFFSET && bit / 8 < SnapshotBlobs.VERSION_OFFSET + 4) {
                assertStatus(Status.Code.INVALID_ARGUMENT, "version", status);
            }
        }
        assertNothingChanged();
    }

    @Test
    void aCorruptedByteUnderAValidChecksumIsNeverUnknownOrInternal() {
        // The checksum cannot catch these: whatever the damage, the answer is the
        // client's (INVALID_ARGUMENT, or FAILED_PRECONDITION when the first sequence moved),
        // or the blob still decodes and loads. A refused load leaves its target empty.
        Set<Status.Code> allowed = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.FAILED_PRECONDITION);
        int refused = 0;
        for (int i = 0; i < blob.length - SnapshotBlobs.CRC_BYTES; i++) {
            for (int mask : new int[] {0xFF, 0x80, 0x01}) {
                byte[] damaged = blob.clone();
                damaged[i] ^= (byte) mask;
                String target = "fuzz-" + i + "-" + mask;
                Status status = loadOutcome(target, SnapshotBlobs.withValidCrc(damaged));
                assertTrue(allowed.contains(status.getCode()), "byte " + i + " ^ " + mask + ": " + status);
                if (!status.isOk()) {
                    refused++;
                    assertStatus(status.getCode(), "snapshot", status);
                    assertEquals(0, latest(fixture, target), "a refused Load changed its target");
                }
            }
        }
        assertTrue(refused > 0);
        assertEquals(targetBefore, readAll(fixture, "target"));
    }

    @Test
    void bytesThatAreNotASnapshotAreInvalidArgument() {
        for (int length : new int[] {1, 3, 4, 11, 12, 13, 64, 1000, 100_000}) {
            assertRefused("empty", bytes(length, length), length + " random bytes");
        }
        assertRefused("empty", "this is not a snapshot".getBytes(StandardCharsets.UTF_8), "a text string");
        assertRefused("empty", "{\"snapshot\": \"base64...\"}".getBytes(StandardCharsets.UTF_8), "JSON");
        // A client mistake: the whole SnapshotResponse instead of its snapshot field.
        byte[] response = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("src").build())
            .toByteArray();
        assertRefused("empty", response, "a SnapshotResponse message");
        // Right magic and version, then random bytes under a valid checksum.
        for (int seed = 0; seed < 20; seed++) {
            byte[] fake = bytes(64 + seed * 13, seed);
            ByteBuffer.wrap(fake).putInt(0, ByteBuffer.wrap(blob).getInt(0)).putInt(4, 1);
            assertRefused("empty", SnapshotBlobs.withValidCrc(fake), "a forged header, seed " + seed);
        }
        assertNothingChanged();
    }

    @Test
    void aBlobOfAFutureFormatVersionIsInvalidArgumentNamingThatVersion() {
        for (int version : new int[] {2, 7, 65_536}) {
            byte[] future = SnapshotBlobs.withVersion(blob, version);
            for (String target : new String[] {"empty", "target"}) {
                Status status = assertRefused(target, future, "format version " + version);
                assertTrue(Pattern.compile("\\b" + version + "\\b").matcher(status.getDescription()).find(),
                    "the message names version " + version + ": " + status.getDescription());
                assertStatus(Status.Code.INVALID_ARGUMENT, "version", status);
            }
        }
        assertNothingChanged();
    }
}
