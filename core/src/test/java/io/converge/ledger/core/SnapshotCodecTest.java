package io.converge.ledger.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SnapshotCodecTest {
    private static final String CONTEXT = "контекст/日本/🚀";
    private static final long CREATED_AT = 1_764_000_000_987_654_321L;

    /** Entries covering the edge cases of every field. */
    private static TestEntries variedEntries() {
        return new TestEntries(1_000_000_007L)
            .add(Long.MIN_VALUE, Long.MAX_VALUE, 0L, "", new byte[0], Map.of())
            .add(-1L, 0L, 0L, "k", Bytes.utf8("payload"), TestEntries.ordered("", ""))
            .add(0x0123_4567_89AB_CDEFL, -42L, 1_764_000_000_000_000_000L, "ключ-🔑-鍵", Bytes.ramp(300),
                TestEntries.ordered("z-last", "1", "名前", "値 🎉", "a-first", "", "", "empty key"))
            .add(7L, 8L, 1_764_000_000_000_000_000L, Bytes.ofUtf8Length("€", 1024), new byte[] {0, -1, 127, -128},
                TestEntries.ordered("k", "v".repeat(1000)));
    }

    /** A small blob, for the exhaustive truncation and bit-flip tests. */
    private static byte[] smallBlob() {
        return SnapshotCodec.encode("ctx-é", 123L, new TestEntries(1)
            .add(1L, 2L, 3L, "kø", Bytes.utf8("pay"), TestEntries.ordered("m", "ü", "n", ""))
            .add(1L, 3L, 3L, "", new byte[0], Map.of()));
    }

    private static LedgerException invalid(Executable decode, String... mentions) {
        LedgerException e = assertThrows(LedgerException.class, decode);
        assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention '" + m + "'");
        }
        return e;
    }

    private static LedgerException invalid(byte[] blob, String... mentions) {
        return invalid(() -> SnapshotCodec.decode(blob), mentions);
    }

    // ---- round trips

    @Test
    void encodeThenDecodeGivesBackEveryFieldOfEveryEntry() {
        TestEntries entries = variedEntries();
        byte[] blob = SnapshotCodec.encode(CONTEXT, CREATED_AT, entries);

        DecodedSnapshot decoded = SnapshotCodec.decode(blob);

        assertEquals(SnapshotCodec.VERSION, decoded.version());
        assertEquals(CONTEXT, decoded.contextId());
        assertEquals(CREATED_AT, decoded.createdAtNs());
        assertEquals(1_000_000_007L, decoded.firstSequence());
        assertEquals(1_000_000_010L, decoded.latestSequence());
        TestEntries.assertSameEntries(entries, decoded);
    }

    @Test
    void decodedEntriesTakeTheRecordSizeTheSameAppendWouldTake() {
        TestEntries entries = variedEntries();
        DecodedSnapshot decoded = SnapshotCodec.decode(SnapshotCodec.encode(CONTEXT, CREATED_AT, entries));
        for (int i = 0; i < entries.size(); i++) {
            int metadataBytes = InputRules.checkMetadata(entries.metadata(i));
            long expected = EntryWriter.recordBytes(7, InputRules.utf8Length(entries.key(i)), metadataBytes,
                entries.metadata(i).size(), entries.payload(i).length);
            assertEquals(expected, decoded.recordBytes(i, 7), "entry " + i);
        }
    }

    @Test
    void decodedMetadataIsUnmodifiable() {
        DecodedSnapshot decoded = SnapshotCodec.decode(SnapshotCodec.encode(CONTEXT, CREATED_AT, variedEntries()));
        for (int i = 0; i < decoded.size(); i++) {
            Map<String, String> metadata = decoded.metadata(i);
            assertThrows(UnsupportedOperationException.class, () -> metadata.put("new", "x"), "entry " + i);
        }
    }

    @Test
    void anEmptySnapshotRoundTripsWithLatestSequenceOneBeforeItsFirst() {
        byte[] blob = SnapshotCodec.encode("c", 5L, new TestEntries(1));
        DecodedSnapshot decoded = SnapshotCodec.decode(blob);
        assertEquals(0, decoded.size());
        assertEquals(1, decoded.firstSequence());
        assertEquals(0, decoded.latestSequence());
        assertEquals("c", decoded.contextId());
        assertEquals(5L, decoded.createdAtNs());
    }

    @Test
    void reencodingADecodedSnapshotGivesIdenticalBytes() {
        byte[] blob = SnapshotCodec.encode(CONTEXT, CREATED_AT, variedEntries());
        DecodedSnapshot decoded = SnapshotCodec.decode(blob);
        assertArrayEquals(blob, SnapshotCodec.encode(decoded.contextId(), decoded.createdAtNs(), decoded));
    }

    @Test
    void aBlobBuiltByHandFromTheDocumentedFormatIsWhatTheCodecWrites() {
        byte[] byHand = BlobWriter.header(1, "c", 9L, 3L, 2)
            .entry(1L, 2L, 10L, "a", Bytes.utf8("x"))
            .entry(1L, 3L, 11L, "", new byte[0], "mk", "mv")
            .withCrc();
        byte[] byCodec = SnapshotCodec.encode("c", 9L, new TestEntries(3)
            .add(1L, 2L, 10L, "a", Bytes.utf8("x"), Map.of())
            .add(1L, 3L, 11L, "", new byte[0], Map.of("mk", "mv")));
        assertArrayEquals(byCodec, byHand);
        assertEquals("CLSN", new String(Arrays.copyOf(byCodec, 4), java.nio.charset.StandardCharsets.US_ASCII));
    }

    // ---- golden file

    @Test
    void versionOneGoldenBlobStillDecodes() {
        DecodedSnapshot decoded = SnapshotCodec.decode(SnapshotGolden.committedBlob());

        assertEquals(1, decoded.version());
        assertEquals("golden/контекст/🚀", decoded.contextId());
        assertEquals(1_764_000_000_123_456_789L, decoded.createdAtNs());
        assertEquals(1, decoded.firstSequence());
        assertEquals(3, decoded.latestSequence());
        assertEquals(3, decoded.size());

        assertEquals(0x0123_4567_89AB_CDEFL, decoded.idHi(0));
        assertEquals(0L, decoded.idLo(0));
        assertEquals(1_764_000_000_000_000_001L, decoded.appendedAtNs(0));
        assertEquals("", decoded.key(0));
        assertArrayEquals(new byte[0], decoded.payload(0));
        assertEquals(Map.of(), decoded.metadata(0));

        assertEquals(0x0123_4567_89AB_CDEFL, decoded.idHi(1));
        assertEquals(1L, decoded.idLo(1));
        assertEquals(1_764_000_000_000_000_002L, decoded.appendedAtNs(1));
        assertEquals("plan", decoded.key(1));
        assertArrayEquals(Bytes.utf8("hello"), decoded.payload(1));
        assertEquals(Map.of("agent", "planner"), decoded.metadata(1));

        assertEquals(0xFEDC_BA98_7654_3210L, decoded.idHi(2));
        assertEquals(-1L, decoded.idLo(2));
        assertEquals(1_764_000_000_000_000_002L, decoded.appendedAtNs(2));
        assertEquals("ключ-🔑", decoded.key(2));
        assertArrayEquals(Bytes.ramp(256), decoded.payload(2));
        assertEquals(Map.of("名前", "値 🎉", "empty", "", "", "empty-key"), decoded.metadata(2));

        TestEntries.assertSameEntries(SnapshotGolden.entries(), decoded);
    }

    @Test
    void encodingTheGoldenEntriesTodayYieldsExactlyTheGoldenBytes() {
        assertArrayEquals(SnapshotGolden.committedBlob(), SnapshotGolden.encode(),
            "the version-1 format changed: see SnapshotGolden before touching the fixture");
    }

    @Test
    void reencodingTheDecodedGoldenBlobYieldsExactlyTheGoldenBytes() {
        byte[] golden = SnapshotGolden.committedBlob();
        DecodedSnapshot decoded = SnapshotCodec.decode(golden);
        assertArrayEquals(golden, SnapshotCodec.encode(decoded.contextId(), decoded.createdAtNs(), decoded));
    }

    // ---- rejected blobs

    @Test
    void anEmptyBlobIsRejectedSayingItIsEmpty() {
        invalid(new byte[0], "empty");
    }

    @Test
    void everyTruncationOfASmallBlobIsRejectedAsInvalidArgument() {
        byte[] blob = smallBlob();
        for (int length = 0; length < blob.length; length++) {
            byte[] prefix = Arrays.copyOf(blob, length);
            LedgerException e = assertThrows(LedgerException.class, () -> SnapshotCodec.decode(prefix),
                "prefix of " + length + " bytes");
            assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason(), "prefix of " + length + " bytes");
        }
    }

    @Test
    void everySingleBitFlipOfASmallBlobIsRejectedAsInvalidArgument() {
        byte[] blob = smallBlob();
        for (int bit = 0; bit < blob.length * 8; bit++) {
            byte[] flipped = blob.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            LedgerException e = assertThrows(LedgerException.class, () -> SnapshotCodec.decode(flipped),
                "bit " + bit);
            assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason(), "bit " + bit);
        }
    }

    @Test
    void aFutureVersionIsRejectedNamingThatVersion() {
        byte[] v2 = smallBlob();
        ByteBuffer.wrap(v2).putInt(4, 2);
        invalid(BlobWriter.recomputeCrc(v2), "version 2", "1");
    }

    @Test
    void versionZeroAndTheLargestUnsignedVersionAreRejectedNamingThem() {
        byte[] v0 = smallBlob();
        ByteBuffer.wrap(v0).putInt(4, 0);
        invalid(BlobWriter.recomputeCrc(v0), "version 0");
        byte[] vMax = smallBlob();
        ByteBuffer.wrap(vMax).putInt(4, -1);
        invalid(BlobWriter.recomputeCrc(vMax), "version 4294967295");
    }

    @Test
    void randomGarbageIsRejectedAsInvalidArgument() {
        Random random = new Random(0x5EED_0001L);
        for (int i = 0; i < 500; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            invalid(garbage);
        }
    }

    /**
     * Random bodies behind a valid magic, version and checksum reach the body parser, which
     * must reject (or, rarely, accept) them with nothing but its own exception.
     */
    @Test
    void randomBodiesWithAValidChecksumAreRejectedCleanly() {
        Random random = new Random(0x5EED_0002L);
        for (int i = 0; i < 2000; i++) {
            byte[] body = new byte[random.nextInt(120)];
            random.nextBytes(body);
            if (body.length >= 4 && random.nextBoolean()) {
                ByteBuffer.wrap(body).putInt(0, random.nextInt(12)); // a plausible context id length
            }
            byte[] blob = new BlobWriter().u32(SnapshotCodec.MAGIC).u32(1).raw(body).withCrc();
            try {
                SnapshotCodec.decode(blob);
            } catch (LedgerException e) {
                assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason());
            } catch (RuntimeException e) {
                fail("body " + Arrays.toString(body) + " escaped as " + e, e);
            }
        }
    }

    static Stream<Arguments> craftedBlobs() {
        byte[] invalidUtf8 = {(byte) 0xC3, 0x28};
        byte[] overlongNul = {(byte) 0xC0, (byte) 0x80};
        byte[] encodedSurrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
        return Stream.of(
            Arguments.of("entry count larger than the data",
                BlobWriter.header("c", 1, 5).entry(1, 1, 1, "k", new byte[0]).withCrc(), List.of("5 entries")),
            Arguments.of("entry count 2^32 - 1",
                BlobWriter.header("c", 1, -1).entry(1, 1, 1, "k", new byte[0]).withCrc(), List.of("4294967295")),
            Arguments.of("decreasing appendedAt",
                BlobWriter.header("c", 1, 2).entry(1, 1, 100, "k", new byte[0])
                    .entry(1, 2, 99, "k", new byte[0]).withCrc(), List.of("decreases", "sequence 2")),
            Arguments.of("invalid UTF-8 in a key",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).bytes(invalidUtf8).bytes(new byte[0]).u32(0)
                    .withCrc(), List.of("key", "UTF-8")),
            Arguments.of("overlong UTF-8 in a key",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).bytes(overlongNul).bytes(new byte[0]).u32(0)
                    .withCrc(), List.of("key", "UTF-8")),
            Arguments.of("a UTF-8-encoded surrogate in a key",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).bytes(encodedSurrogate).bytes(new byte[0])
                    .u32(0).withCrc(), List.of("key")),
            Arguments.of("invalid UTF-8 in the context id",
                new BlobWriter().u32(SnapshotCodec.MAGIC).u32(1).bytes(invalidUtf8).i64(1).i64(1).u32(0)
                    .withCrc(), List.of("context id", "UTF-8")),
            Arguments.of("invalid UTF-8 in a metadata key",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).str("k").bytes(new byte[0]).u32(1)
                    .bytes(invalidUtf8).str("v").withCrc(), List.of("metadata key", "UTF-8")),
            Arguments.of("invalid UTF-8 in a metadata value",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).str("k").bytes(new byte[0]).u32(1)
                    .str("m").bytes(invalidUtf8).withCrc(), List.of("metadata value", "UTF-8")),
            Arguments.of("trailing bytes after the last entry",
                BlobWriter.header("c", 1, 1).entry(1, 1, 1, "k", new byte[0]).raw((byte) 0).withCrc(),
                List.of("1 unexpected bytes")),
            Arguments.of("trailing bytes after zero entries",
                BlobWriter.header("c", 1, 0).raw(new byte[40]).withCrc(), List.of("unexpected bytes")),
            Arguments.of("first sequence 0",
                BlobWriter.header("c", 0, 1).entry(1, 1, 1, "k", new byte[0]).withCrc(), List.of("first sequence")),
            Arguments.of("negative first sequence",
                BlobWriter.header("c", Long.MIN_VALUE, 0).withCrc(), List.of("first sequence")),
            Arguments.of("sequences that overflow a signed 64-bit integer",
                BlobWriter.header("c", Long.MAX_VALUE, 2).entry(1, 1, 1, "k", new byte[0])
                    .entry(1, 2, 1, "k", new byte[0]).withCrc(), List.of("sequence")),
            Arguments.of("an empty context id",
                BlobWriter.header("", 1, 0).withCrc(), List.of("context id")),
            Arguments.of("a context id of 1025 bytes",
                BlobWriter.header("c".repeat(1025), 1, 0).withCrc(), List.of("context id", "1025")),
            Arguments.of("a key of 1025 bytes",
                BlobWriter.header("c", 1, 1).entry(1, 1, 1, "k".repeat(1025), new byte[0]).withCrc(),
                List.of("sequence 1", "key", "1025")),
            Arguments.of("metadata of 65537 bytes",
                BlobWriter.header("c", 1, 1).entry(1, 1, 1, "k", new byte[0], "m", "v".repeat(65536)).withCrc(),
                List.of("metadata", "65537")),
            Arguments.of("a repeated metadata key",
                BlobWriter.header("c", 1, 1).entry(1, 1, 1, "k", new byte[0], "m", "1", "m", "2").withCrc(),
                List.of("repeats", "m")),
            Arguments.of("more metadata pairs than the data holds",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).str("k").bytes(new byte[0]).u32(1000)
                    .str("m").str("v").withCrc(), List.of("1000 metadata pairs")),
            Arguments.of("a negative metadata pair count",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).str("k").bytes(new byte[0]).u32(-1)
                    .withCrc(), List.of("4294967295 metadata pairs")),
            Arguments.of("a key length past the end",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).u32(1000).raw(new byte[30]).withCrc(),
                List.of("key", "1000 bytes")),
            Arguments.of("a payload length of 2^31",
                BlobWriter.header("c", 1, 1).i64(1).i64(1).i64(1).str("k").u32(Integer.MIN_VALUE)
                    .raw(new byte[30]).withCrc(), List.of("payload", "2147483648")),
            Arguments.of("a header cut short",
                new BlobWriter().u32(SnapshotCodec.MAGIC).u32(1).str("c").i64(1).withCrc(), List.of("truncated")),
            Arguments.of("a bad magic with a valid checksum",
                new BlobWriter().u32(0x434C534F).u32(1).str("c").i64(1).i64(1).u32(0).withCrc(),
                List.of("magic")),
            Arguments.of("a bad checksum",
                withLastByteFlipped(BlobWriter.header("c", 1, 0).withCrc()), List.of("CRC-32C"))
        );
    }

    private static byte[] withLastByteFlipped(byte[] blob) {
        blob[blob.length - 1] ^= 1;
        return blob;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("craftedBlobs")
    void aBlobWithAValidChecksumButACraftedInconsistencyIsRejected(String what, byte[] blob, List<String> mentions) {
        invalid(blob, mentions.toArray(String[]::new));
    }

    @Test
    void aPayloadOfMoreThan4MiBInsideABlobIsRejectedAsInvalidArgument() {
        byte[] blob = BlobWriter.header("c", 1, 1).entry(1, 1, 1, "k", new byte[4_194_305]).withCrc();
        invalid(blob, "sequence 1", "payload", "4194305");
        byte[] exactly4MiB = BlobWriter.header("c", 1, 1).entry(1, 1, 1, "k", new byte[4_194_304]).withCrc();
        assertEquals(4_194_304, SnapshotCodec.decode(exactly4MiB).payload(0).length);
    }

    @Test
    void equalAppendTimesAreAcceptedOnlyDecreasingOnesAreNot() {
        byte[] blob = BlobWriter.header("c", 1, 3).entry(1, 1, 5, "", new byte[0]).entry(1, 2, 5, "", new byte[0])
            .entry(1, 3, 6, "", new byte[0]).withCrc();
        DecodedSnapshot decoded = SnapshotCodec.decode(blob);
        assertEquals(5, decoded.appendedAtNs(1));
        assertEquals(3, decoded.latestSequence());
    }

    // ---- randomized properties (fixed seed: reproducible)

    @Test
    void randomEntriesRoundTripAndRandomCorruptionIsAlwaysRejectedOrHarmless() {
        Random random = new Random(0xC0FFEEL);
        for (int iteration = 0; iteration < 300; iteration++) {
            String contextId = randomString(random, 1, 12);
            long createdAt = random.nextLong();
            TestEntries entries = randomEntries(random);
            byte[] blob = SnapshotCodec.encode(contextId, createdAt, entries);

            DecodedSnapshot decoded = SnapshotCodec.decode(blob);
            assertEquals(contextId, decoded.contextId(), "iteration " + iteration);
            assertEquals(createdAt, decoded.createdAtNs(), "iteration " + iteration);
            TestEntries.assertSameEntries(entries, decoded);
            assertArrayEquals(blob, SnapshotCodec.encode(contextId, createdAt, decoded), "iteration " + iteration);

            for (int c = 0; c < 10; c++) {
                byte[] corrupt = corrupt(random, blob);
                String at = "iteration " + iteration + ", corruption " + c;
                try {
                    DecodedSnapshot survived = SnapshotCodec.decode(corrupt);
                    assertArrayEquals(blob, corrupt, at + ": a changed blob decoded");
                    TestEntries.assertSameEntries(entries, survived);
                } catch (LedgerException e) {
                    assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason(), at);
                    assertFalse(Arrays.equals(blob, corrupt), at + ": an unchanged blob was rejected");
                }
            }
        }
    }

    /** Overwrites, truncates or extends the blob at random; sometimes leaves it as it was. */
    private static byte[] corrupt(Random random, byte[] blob) {
        byte[] b = blob.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // overwrite 1..4 random bytes, possibly with their own value
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    int at = random.nextInt(b.length);
                    b[at] = random.nextInt(4) == 0 ? blob[at] : (byte) random.nextInt(256);
                }
                return b;
            }
            case 1 -> {
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 2 -> {
                byte[] longer = Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            }
            default -> { // swap two bytes
                int i = random.nextInt(b.length);
                int j = random.nextInt(b.length);
                byte t = b[i];
                b[i] = b[j];
                b[j] = t;
                return b;
            }
        }
    }

    private static TestEntries randomEntries(Random random) {
        TestEntries entries = new TestEntries(1 + (random.nextBoolean() ? 0 : random.nextInt(1_000_000)));
        long appendedAt = random.nextInt(1_000_000);
        for (int i = 0, n = random.nextInt(6); i < n; i++) {
            appendedAt += random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000);
            byte[] payload = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(64)];
            random.nextBytes(payload);
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int p = 0, pairs = random.nextInt(5); p < pairs; p++) {
                metadata.put(randomString(random, 0, 8), randomString(random, 0, 8));
            }
            entries.add(random.nextLong(), random.nextLong(), appendedAt, randomString(random, 0, 10), payload,
                metadata);
        }
        return entries;
    }

    /** Valid UTF-16 (surrogates only in pairs) mixing 1- to 4-byte UTF-8 characters. */
    private static String randomString(Random random, int minLength, int maxLength) {
        int[] pool = {'a', 'b', 'k', '/', ' ', 0, 0x7F, 0xE9, 0x416, 0x7FF, 0x800, 0x540D, 0x20AC, 0xFFFD, 0x10000,
            0x1F680, 0x1F511, 0x10FFFF};
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = minLength + random.nextInt(maxLength - minLength + 1); i < n; i++) {
            sb.appendCodePoint(pool[random.nextInt(pool.length)]);
        }
        return sb.toString();
    }
}
