package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;

import static io.converge.ledger.core.Callbacks.append;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotStreamTest extends Ledgers {
    /** Entries of every shape: empty and 4 MiB payloads, keys and metadata in several scripts. */
    private static void fill(Ledger ledger, String contextId) {
        Random random = new Random(7);
        append(ledger, contextId, "", new byte[0], Map.of());
        append(ledger, contextId, "ключ-🔑", Bytes.ramp(256), TestEntries.ordered("名前", "値 🎉", "empty", "",
            "", "empty-key"));
        byte[] big = new byte[InputRules.MAX_PAYLOAD_BYTES];
        random.nextBytes(big);
        append(ledger, contextId, "big", big, Map.of("m", "v".repeat(1000)));
        for (int i = 0; i < 200; i++) {
            byte[] p = new byte[random.nextInt(300)];
            random.nextBytes(p);
            append(ledger, contextId, "k" + (i % 7), p, i % 3 == 0 ? Map.of() : Map.of("i", Integer.toString(i)));
        }
    }

    private static byte[] streamed(SnapshotStream s, int bufferBytes) {
        ByteBuffer all = ByteBuffer.allocate((int) s.sizeBytes());
        ByteBuffer chunk = ByteBuffer.allocate(bufferBytes);
        while (s.hasRemaining()) {
            chunk.clear();
            int n = s.read(chunk);
            assertTrue(n > 0, "a read with bytes remaining gives some");
            all.put(chunk.flip());
        }
        assertEquals(0, s.read(chunk.clear()), "nothing after the end");
        return all.array();
    }

    @Test
    void aStreamedBlobIsByteIdenticalToTheCodecsForAnyBufferSize() {
        Ledger ledger = start();
        fill(ledger, "ctx");
        ContextView view = ledger.view("ctx");
        byte[] expected = SnapshotCodec.encode("ctx", 99L, view.entries());
        for (int buffer : new int[] {1, 7, 4096, 1 << 20, expected.length + 10}) {
            SnapshotStream s = SnapshotStream.of("ctx", 99L, view);
            assertEquals(expected.length, s.sizeBytes(), "the size is known up front");
            assertEquals(203, s.entryCount());
            assertEquals(203, s.latestSequence());
            assertArrayEquals(expected, streamed(s, buffer), "buffer of " + buffer + " bytes");
        }
    }

    @Test
    void theStreamIsFixedAtTheViewItOpenedOn() {
        Ledger ledger = start();
        fill(ledger, "ctx");
        SnapshotStream s = ledger.snapshotStream("ctx");
        byte[] first = new byte[100];
        s.read(ByteBuffer.wrap(first));
        append(ledger, "ctx", "later", "not in the snapshot");
        ByteBuffer rest = ByteBuffer.allocate((int) s.sizeBytes());
        rest.put(first);
        while (s.hasRemaining()) {
            s.read(rest);
        }
        DecodedSnapshot decoded = SnapshotCodec.decode(rest.array());
        assertEquals(203, decoded.latestSequence());
    }

    @Test
    void anEmptyOrUnknownContextStreamsAValidBlobOfNoEntries() {
        Ledger ledger = start();
        SnapshotStream s = ledger.snapshotStream("nothing-here");
        byte[] blob = streamed(s, 3);
        assertFalse(s.hasRemaining());
        assertArrayEquals(SnapshotCodec.encode("nothing-here", s.createdAtNs(), new TestEntries(1)), blob);
        assertEquals(0, SnapshotCodec.decode(blob).size());
    }

    @Test
    void unarySnapshotIsTheStreamReadWhole() {
        Ledger ledger = start(LedgerConfig.defaults().withEpochNanos(() -> 1234L));
        fill(ledger, "ctx");
        SnapshotResult unary = ledger.snapshot("ctx");
        assertArrayEquals(streamed(ledger.snapshotStream("ctx"), 1 << 20), unary.blob());
        assertEquals(203, unary.entryCount());
    }

    @Test
    void aBlobStagedInPartsDecodesToTheSameEntriesAsTheWholeArray() {
        Ledger ledger = start();
        fill(ledger, "ctx");
        byte[] blob = ledger.snapshot("ctx").blob();
        SnapshotBytes.Staging staging = SnapshotBytes.staging();
        for (int at = 0; at < blob.length; at += 333_333) { // chunks that straddle the 1 MiB parts
            staging.append(ByteBuffer.wrap(blob, at, Math.min(333_333, blob.length - at)));
        }
        SnapshotBytes staged = staging.finish();
        assertEquals(blob.length, staged.size());
        DecodedSnapshot fromParts = SnapshotCodec.decode(staged, Long.MAX_VALUE);
        DecodedSnapshot whole = SnapshotCodec.decode(blob);
        TestEntries.assertSameEntries(whole, fromParts);
        for (int i = 0; i < whole.size(); i++) {
            assertEquals(whole.recordBytes(i, 3), fromParts.recordBytes(i, 3));
        }
        assertArrayEquals(blob, SnapshotCodec.encode(fromParts.contextId(), fromParts.createdAtNs(), fromParts));
    }
}
