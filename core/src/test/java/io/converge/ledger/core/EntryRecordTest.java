package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryRecordTest {
    private static final int AT = 64; // not 0: every read must be relative to the record's own offset
    private static final long SEQUENCE = 42;
    private static final long ID_HI = 0x0123_4567_89ab_cdefL;
    private static final long ID_LO = 0xfedc_ba98_7654_3210L;
    private static final long APPENDED_AT = 1_764_000_000_123_456_789L;

    private final Segment segment = new Segment(0, ByteBuffer.allocateDirect(1 << 16), "test segment");
    private final CRC32C crc = new CRC32C();

    private static Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("trace", "abc-123");
        m.put("名前", "値 ✓");
        m.put("empty", "");
        return m;
    }

    /** Writes the standard record at {@link #AT}; returns its frame length. */
    private int writeStandard(String contextId, String key, Map<String, String> metadata, byte[] payload) {
        byte[] block = EntryRecord.encodeMetadata(metadata);
        EntryRecord.write(segment.records(), segment.writerView(), crc, AT, SEQUENCE, ID_HI, ID_LO, APPENDED_AT,
            Bytes.utf8(contextId), Bytes.utf8(key), block, payload);
        return EntryRecord.frameLength(segment.records(), AT);
    }

    private String damage(int limit) {
        return EntryRecord.damage(segment.records(), segment.writerView(), crc, AT, limit);
    }

    private String damage() {
        return damage(segment.capacity());
    }

    private static void assertMentions(String message, String... parts) {
        assertNotNull(message, "expected damage to be reported");
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }

    @Test
    void aWrittenRecordReadsBackFieldByField() {
        byte[] payload = Bytes.ramp(300);
        int frame = writeStandard("ctx-ü", "kéy", metadata(), payload);
        ByteBuffer r = segment.records();

        assertEquals("ctx-ü", EntryRecord.contextId(r, AT));
        assertTrue(EntryRecord.contextIdEquals(r, AT, Bytes.utf8("ctx-ü")));
        assertFalse(EntryRecord.contextIdEquals(r, AT, Bytes.utf8("ctx-u")));
        assertEquals(SEQUENCE, EntryRecord.sequence(r, AT));
        assertEquals(ID_HI, EntryRecord.idHi(r, AT));
        assertEquals(ID_LO, EntryRecord.idLo(r, AT));
        assertEquals(APPENDED_AT, EntryRecord.appendedAtNs(r, AT));
        assertEquals("kéy", EntryRecord.key(r, AT));
        assertTrue(EntryRecord.keyEquals(r, AT, Bytes.utf8("kéy")));
        assertFalse(EntryRecord.keyEquals(r, AT, Bytes.utf8("key")));
        assertEquals(metadata(), EntryRecord.metadata(r, AT));
        assertEquals(List.copyOf(metadata().keySet()), List.copyOf(EntryRecord.metadata(r, AT).keySet()),
            "metadata keeps its order");
        assertThrows(UnsupportedOperationException.class, () -> EntryRecord.metadata(r, AT).put("x", "y"));

        ByteBuffer view = EntryRecord.payload(r, AT);
        assertTrue(view.isReadOnly(), "the payload is a read-only view");
        assertTrue(view.isDirect(), "the payload is a view of the off-heap segment, not a heap copy");
        assertEquals(payload.length, view.remaining());
        assertEquals(ByteBuffer.wrap(payload), view);

        Entry e = EntryRecord.entry(r, AT);
        assertEquals(EntryIds.format(ID_HI, ID_LO), e.id());
        assertEquals("kéy", e.key());
        assertEquals(SEQUENCE, e.sequence());
        assertEquals(APPENDED_AT, e.appendedAtNs());
        assertEquals(metadata(), e.metadata());
        assertArrayEquals(payload, e.payloadBytes());

        int metadataBlock = EntryRecord.encodeMetadata(metadata()).length;
        assertEquals(EntryRecord.HEADER_BYTES + Bytes.utf8("ctx-ü").length + Bytes.utf8("kéy").length
            + metadataBlock + payload.length, frame, "the frame length counts the record without its padding");
        assertEquals(EntryRecord.aligned(frame), EntryRecord.size(Bytes.utf8("ctx-ü").length,
            Bytes.utf8("kéy").length, metadataBlock, payload.length));
        assertNull(damage(), "an intact record has no damage");
    }

    @Test
    void aRecordWithoutKeyMetadataOrPayloadReadsBackEmpty() {
        int frame = writeStandard("c", "", Map.of(), new byte[0]);
        ByteBuffer r = segment.records();

        assertEquals(EntryRecord.HEADER_BYTES + 1, frame);
        assertEquals("", EntryRecord.key(r, AT));
        assertEquals(Map.of(), EntryRecord.metadata(r, AT));
        assertEquals(0, EntryRecord.payload(r, AT).remaining());
        assertEquals(0, EntryRecord.encodeMetadata(Map.of()).length);
        assertNull(damage());
    }

    @Test
    void theHeaderIsLittleEndianAtTheDocumentedOffsetsAndTheCrcCoversBytesFromEightToTheFrameEnd() {
        byte[] payload = Bytes.utf8("payload");
        int frame = writeStandard("c", "k", Map.of(), payload);
        ByteBuffer le = segment.records().duplicate().order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(frame, le.getInt(AT));
        assertEquals(SEQUENCE, le.getLong(AT + 8));
        assertEquals(ID_HI, le.getLong(AT + 16));
        assertEquals(ID_LO, le.getLong(AT + 24));
        assertEquals(APPENDED_AT, le.getLong(AT + 32));
        assertEquals(1, le.getShort(AT + 40));
        assertEquals(1, le.getShort(AT + 42));
        assertEquals(0, le.getInt(AT + 44));
        assertEquals(payload.length, le.getInt(AT + 48));
        assertEquals('c', le.get(AT + 52));
        assertEquals('k', le.get(AT + 53));
        byte[] stored = new byte[payload.length];
        le.get(AT + 54, stored);
        assertArrayEquals(payload, stored);

        byte[] covered = new byte[frame - 8];
        le.get(AT + 8, covered);
        CRC32C expected = new CRC32C();
        expected.update(covered);
        assertEquals((int) expected.getValue(), le.getInt(AT + 4));
    }

    @Test
    void everySingleBitFlipInsideARecordIsDamage() {
        int frame = writeStandard("ctx", "key", metadata(), Bytes.ramp(100));
        ByteBuffer r = segment.records();
        for (int at = AT; at < AT + frame; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte original = r.get(at);
                r.put(at, (byte) (original ^ (1 << bit)));
                String why = damage();
                r.put(at, original);
                assertNotNull(why, "a flip of bit " + bit + " of byte " + (at - AT) + " went unnoticed");
            }
        }
        assertNull(damage(), "restored, the record is intact again");
    }

    @Test
    void aFlippedPayloadBitIsACrcFailure() {
        int frame = writeStandard("ctx", "key", Map.of(), Bytes.ramp(100));
        ByteBuffer r = segment.records();
        int last = AT + frame - 1;
        r.put(last, (byte) (r.get(last) ^ 0x10));

        assertMentions(damage(), "CRC-32C");
    }

    @Test
    void aBadFrameLengthIsNamed() {
        int frame = writeStandard("ctx", "key", Map.of(), Bytes.ramp(100));
        ByteBuffer r = segment.records();

        r.putInt(AT, 3);
        assertMentions(damage(), "frame length 3");
        r.putInt(AT, -1);
        assertMentions(damage(), "frame length -1");
        r.putInt(AT, segment.capacity());
        assertMentions(damage(), "frame length " + segment.capacity(), "impossible");
        r.putInt(AT, frame + 8);
        assertMentions(damage(), "field lengths add up to " + frame, "frame length " + (frame + 8));
        r.putInt(AT, frame);
        assertNull(damage());
    }

    @Test
    void aRecordCutShortIsDamageWhetherTheLimitOrZerosCutIt() {
        int frame = writeStandard("ctx", "key", Map.of(), Bytes.ramp(100));
        ByteBuffer r = segment.records();

        assertMentions(damage(AT + frame - 1), "frame length " + frame, "impossible");
        assertMentions(damage(AT + EntryRecord.HEADER_BYTES - 1), "header runs past the end");
        assertNull(damage(AT + frame), "a limit at the frame's end holds the whole record");

        for (int cut = AT + 1; cut < AT + frame; cut++) {
            ByteBuffer copy = ByteBuffer.allocateDirect(r.capacity());
            copy.put(0, r, 0, cut);
            Segment torn = new Segment(0, copy, "torn");
            assertNotNull(EntryRecord.damage(torn.records(), torn.writerView(), crc, AT, torn.capacity()),
                "a record whose bytes from " + (cut - AT) + " on are zero is damaged");
        }
    }

    @Test
    void aRecordThatNamesNoContextOrSequenceIsDamageEvenWithAGoodCrc() {
        EntryRecord.write(segment.records(), segment.writerView(), crc, AT, 0, ID_HI, ID_LO, APPENDED_AT,
            Bytes.utf8("c"), Bytes.utf8("k"), EntryRecord.EMPTY, Bytes.ramp(4));
        assertMentions(damage(), "no context or sequence");

        EntryRecord.write(segment.records(), segment.writerView(), crc, AT, 1, ID_HI, ID_LO, APPENDED_AT,
            EntryRecord.EMPTY, Bytes.utf8("k"), EntryRecord.EMPTY, Bytes.ramp(4));
        assertMentions(damage(), "no context or sequence");
    }

    @Test
    void recordsWrittenBackToBackAtAlignedOffsetsReadBackIndependently() {
        ByteBuffer r = segment.records();
        int offset = 0;
        int[] offsets = new int[20];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = offset;
            byte[] payload = Bytes.ramp(i * 7);
            EntryRecord.write(r, segment.writerView(), crc, offset, i + 1, ID_HI, i, APPENDED_AT + i,
                Bytes.utf8("c" + i), Bytes.utf8("k".repeat(i)), EntryRecord.encodeMetadata(Map.of("i", "" + i)),
                payload);
            offset += EntryRecord.aligned(EntryRecord.frameLength(r, offset));
            assertEquals(0, offset % EntryRecord.ALIGNMENT);
        }
        assertEquals(0, EntryRecord.frameLength(r, offset), "after the last record the log ends");
        for (int i = 0; i < offsets.length; i++) {
            int at = offsets[i];
            assertNull(EntryRecord.damage(r, segment.writerView(), crc, at, r.capacity()), "record " + i);
            assertEquals("c" + i, EntryRecord.contextId(r, at));
            assertEquals(i + 1, EntryRecord.sequence(r, at));
            assertEquals(i, EntryRecord.idLo(r, at));
            assertEquals("k".repeat(i), EntryRecord.key(r, at));
            assertEquals(Map.of("i", "" + i), EntryRecord.metadata(r, at));
            assertEquals(ByteBuffer.wrap(Bytes.ramp(i * 7)), EntryRecord.payload(r, at));
        }
    }
}
