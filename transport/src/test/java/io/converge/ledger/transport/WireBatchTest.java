package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link WireBatch} reads exactly what protobuf's generated parser reads, and refuses what it refuses. */
class WireBatchTest {

    private static AppendBatchRequest randomBatch(Random r) {
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        int n = r.nextInt(20);
        for (int i = 0; i < n; i++) {
            AppendRequest.Builder e = AppendRequest.newBuilder();
            if (r.nextBoolean()) {
                e.setContextId("ctx-" + r.nextInt(3) + (r.nextBoolean() ? "-é€😀" : ""));
            }
            if (r.nextBoolean()) {
                e.setKey("k" + r.nextInt(2));
            }
            byte[] payload = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(300)];
            r.nextBytes(payload);
            e.setPayload(ByteString.copyFrom(payload));
            for (int m = r.nextInt(4); m > 0; m--) {
                e.putMetadata(r.nextBoolean() ? "" : "m" + r.nextInt(5), "v" + r.nextInt(100));
            }
            b.addEntries(e);
        }
        return b.build();
    }

    @Test
    void readsEveryFieldOfEveryEntryAsTheGeneratedParserDoes() throws Exception {
        Random r = new Random(42);
        for (int round = 0; round < 500; round++) {
            AppendBatchRequest sent = randomBatch(r);
            WireBatch read = WireBatch.parse(sent.toByteArray());
            assertEquals(sent.getEntriesCount(), read.size());
            for (int i = 0; i < read.size(); i++) {
                AppendRequest e = sent.getEntries(i);
                assertEquals(e.getContextId(), read.contextId(i));
                assertEquals(e.getKey(), read.key(i));
                assertEquals(e.getPayload().size(), read.payloadLength(i));
                assertArrayEquals(e.getPayload().toByteArray(), read.payload(i));
                assertEquals(e.getMetadataMap(), read.metadata(i));
            }
            assertEquals(sent, read.toProto(), "and writes it back unchanged");
        }
    }

    @Test
    void repeatedScalarsKeepTheLastValueMapKeysTheLaterValueAndUnknownFieldsAreSkipped() throws IOException {
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        CodedOutputStream e = CodedOutputStream.newInstance(entry);
        e.writeString(1, "first");
        e.writeString(1, "second");
        e.writeUInt64(9, 77); // unknown varint
        e.writeBytes(3, ByteString.copyFromUtf8("p"));
        e.writeFixed32(10, 5); // unknown fixed32
        e.writeByteArray(4, mapEntry("m", "old"));
        e.writeByteArray(4, mapEntry("m", "new"));
        e.flush();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        CodedOutputStream b = CodedOutputStream.newInstance(batch);
        b.writeByteArray(1, entry.toByteArray());
        b.writeString(5, "unknown at the top");
        b.writeByteArray(1, entry.toByteArray());
        b.flush();
        byte[] bytes = batch.toByteArray();

        WireBatch read = WireBatch.parse(bytes);
        AppendBatchRequest generated = AppendBatchRequest.parseFrom(bytes);

        assertEquals(2, read.size());
        assertEquals("second", read.contextId(0));
        assertEquals(java.util.Map.of("m", "new"), read.metadata(1));
        for (int i = 0; i < 2; i++) {
            assertEquals(generated.getEntries(i).getContextId(), read.contextId(i));
            assertEquals(generated.getEntries(i).getMetadataMap(), read.metadata(i));
            assertArrayEquals(generated.getEntries(i).getPayload().toByteArray(), read.payload(i));
        }
        assertSame(read.contextId(0), read.contextId(1), "a run of one context id is one String");
    }

    @Test
    void refusesWhatTheGeneratedParserRefuses() throws IOException {
        byte[] good = randomBatch(new Random(7)).toByteArray();
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        ByteArrayOutputStream badUtf8 = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(badUtf8);
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        CodedOutputStream e = CodedOutputStream.newInstance(entry);
        e.writeByteArray(1, new byte[] {(byte) 0xC3, (byte) 0x28}); // context_id: invalid UTF-8
        e.flush();
        out.writeByteArray(1, entry.toByteArray());
        out.flush();
        byte[] endGroup = {0x0C}; // field 1, wire type 4: an end-group tag with no group

        for (byte[] bad : new byte[][] {truncated, badUtf8.toByteArray(), endGroup}) {
            assertThrows(InvalidProtocolBufferException.class, () -> AppendBatchRequest.parseFrom(bad));
            assertThrows(InvalidProtocolBufferException.class, () -> WireBatch.parse(bad));
        }
    }

    @Test
    void manyMetadataPairsWithCollidingHashesRepeatedKeysAndLongOrNonAsciiStringsReadAsTheGeneratedParserDoes()
        throws IOException {
        // Two-character keys: many share String.hashCode() ("Aa" and "BB"), the case that made Map.copyOf quadratic.
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        CodedOutputStream e = CodedOutputStream.newInstance(entry);
        e.writeString(1, "ctx");
        for (int i = 0; i < 10_000; i++) {
            e.writeByteArray(4, mapEntry(twoChars(i), "v" + i));
        }
        for (int i = 0; i < 100; i++) { // later values replace earlier ones
            e.writeByteArray(4, mapEntry(twoChars(i * 7), "later" + i));
        }
        e.writeByteArray(4, mapEntry("ключ-" + "x".repeat(300), "значение-é€😀"));
        e.writeByteArray(4, mapEntry("", ""));
        e.flush();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        CodedOutputStream b = CodedOutputStream.newInstance(batch);
        b.writeByteArray(1, entry.toByteArray());
        b.writeByteArray(1, entry.toByteArray());
        b.flush();
        byte[] bytes = batch.toByteArray();

        WireBatch read = WireBatch.parse(bytes);
        AppendBatchRequest generated = AppendBatchRequest.parseFrom(bytes);

        assertEquals(2, read.size());
        assertEquals(10_002, generated.getEntries(0).getMetadataCount());
        for (int i = 0; i < 2; i++) {
            assertEquals(generated.getEntries(i).getMetadataMap(), read.metadata(i));
            assertEquals(10_002, read.metadata(i).size());
        }
        assertEquals("later1", read.metadata(0).get(twoChars(7)));
        assertEquals(generated, read.toProto(), "and writes it back unchanged");
    }

    @Test
    void aBatchOfMoreEntriesThanTheLimitIsCountedWithoutBeingKept() throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        CodedOutputStream b = CodedOutputStream.newInstance(batch);
        byte[] entry = AppendRequest.newBuilder().setContextId("c").putMetadata("m", "v").build().toByteArray();
        int entries = io.converge.ledger.core.InputRules.MAX_BATCH_ENTRIES + 5;
        for (int i = 0; i < entries; i++) {
            b.writeByteArray(1, entry);
        }
        b.flush();

        assertEquals(entries, WireBatch.parse(batch.toByteArray()).size(),
            "the ledger refuses it by its size, naming the count");
    }

    private static String twoChars(int i) {
        return "" + (char) (0x21 + i % 94) + (char) (0x21 + (i / 94) % 94) + (i < 94 * 94 ? "" : "+" + i);
    }

    private static byte[] mapEntry(String key, String value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(1, key);
        out.writeString(2, value);
        out.flush();
        return bytes.toByteArray();
    }
}
