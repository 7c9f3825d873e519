package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The stored form of one entry: a self-checking, length-framed record in a segment.
 * Stateless; the methods read and write a segment buffer by absolute index only, so
 * readers on any thread may share the buffer the writer fills.
 *
 * <pre>
 * offset size  field
 *  0      4    frameLength   bytes of the record from offset 0, padding excluded (&gt;= HEADER_BYTES)
 *  4      4    crc           CRC-32C of bytes [8, frameLength)
 *  8      8    sequence      in its context, from 1
 * 16      8    idHi          the id's high 64 bits
 * 24      8    idLo          the id's low 64 bits
 * 32      8    appendedAtNs  Unix epoch, nanoseconds
 * 40      2    contextIdLength  u16, UTF-8 bytes (1..1024)
 * 42      2    keyLength        u16, UTF-8 bytes (0..1024)
 * 44      4    metadataLength   bytes of the metadata block (0 when there is no metadata)
 * 48      4    payloadLength
 * 52      -    contextId | key | metadata block | payload
 * metadata block := pairs:u32 (keyLength:u32 key valueLength:u32 value)*
 * </pre>
 * All integers are little-endian. The next record starts at the next multiple of
 * {@value #ALIGNMENT}; a frame length of 0 there means the log ends. A record is written
 * whole before it is indexed, so readers never see a partial one; recovery tells a torn
 * one by its frame or its CRC.
 */
final class EntryRecord {
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int ALIGNMENT = 8;
    static final int FRAME_LENGTH = 0;
    static final int CRC = 4;
    static final int SEQUENCE = 8;
    static final int ID_HI = 16;
    static final int ID_LO = 24;
    static final int APPENDED_AT = 32;
    static final int CONTEXT_ID_LENGTH = 40;
    static final int KEY_LENGTH = 42;
    static final int METADATA_LENGTH = 44;
    static final int PAYLOAD_LENGTH = 48;
    static final int HEADER_BYTES = 52;
    /** The largest record the contract's limits allow, padding included. */
    static final int MAX_RECORD_BYTES = aligned(HEADER_BYTES + InputRules.MAX_CONTEXT_ID_BYTES
        + InputRules.MAX_KEY_BYTES + metadataBlockBytes(InputRules.MAX_METADATA_BYTES, InputRules.MAX_METADATA_BYTES / 2)
        + InputRules.MAX_PAYLOAD_BYTES);

    private EntryRecord() {
    }

    /** The bytes a record of these field lengths takes in a segment, padding included. */
    static int size(int contextIdBytes, int keyBytes, int metadataBlockBytes, int payloadBytes) {
        return aligned(HEADER_BYTES + contextIdBytes + keyBytes + metadataBlockBytes + payloadBytes);
    }

    /** The metadata block's length for {@code pairs} pairs whose keys and values hold {@code utf8Bytes} in all. */
    static int metadataBlockBytes(int utf8Bytes, int pairs) {
        return pairs == 0 ? 0 : 4 + 8 * pairs + utf8Bytes;
    }

    static int aligned(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Writes one record at {@code offset} of {@code segment}, which must have
     * {@link #size} bytes of room there; the frame length goes in last.
     *
     * @param checksumView a view of the same memory whose position and limit this method
     *                     may move (the writer's own), for the CRC
     */
    static void write(ByteBuffer segment, ByteBuffer checksumView, CRC32C crc, int offset, long sequence, long idHi,
                      long idLo, long appendedAtNs, byte[] contextId, byte[] key, byte[] metadataBlock,
                      byte[] payload) {
        int at = offset + HEADER_BYTES;
        segment.put(at, contextId);
        at += contextId.length;
        segment.put(at, key);
        at += key.length;
        segment.put(at, metadataBlock);
        at += metadataBlock.length;
        segment.put(at, payload);
        at += payload.length;
        segment.putLong(offset + SEQUENCE, sequence);
        segment.putLong(offset + ID_HI, idHi);
        segment.putLong(offset + ID_LO, idLo);
        segment.putLong(offset + APPENDED_AT, appendedAtNs);
        segment.putShort(offset + CONTEXT_ID_LENGTH, (short) contextId.length);
        segment.putShort(offset + KEY_LENGTH, (short) key.length);
        segment.putInt(offset + METADATA_LENGTH, metadataBlock.length);
        segment.putInt(offset + PAYLOAD_LENGTH, payload.length);
        segment.putInt(offset + CRC, checksum(checksumView, crc, offset, at));
        segment.putInt(offset + FRAME_LENGTH, at - offset);
    }

    /** CRC-32C of bytes [offset + 8, end) of the segment {@code view} is a view of. */
    static int checksum(ByteBuffer view, CRC32C crc, int offset, int end) {
        crc.reset();
        view.limit(end).position(offset + SEQUENCE);
        crc.update(view);
        view.clear();
        return (int) crc.getValue();
    }

    /** The metadata block of {@code metadata} ({@link #metadataBlockBytes} long); an empty array for none. */
    static byte[] encodeMetadata(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return EMPTY;
        }
        if (metadata instanceof MetadataBlock encoded) {
            return encoded.block();
        }
        byte[][] parts = new byte[metadata.size() * 2][];
        int i = 0;
        int utf8 = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            parts[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            parts[i + 1] = e.getValue().getBytes(StandardCharsets.UTF_8);
            utf8 += parts[i].length + parts[i + 1].length;
            i += 2;
        }
        ByteBuffer block = ByteBuffer.allocate(metadataBlockBytes(utf8, metadata.size())).order(ORDER);
        block.putInt(metadata.size());
        for (byte[] part : parts) {
            block.putInt(part.length).put(part);
        }
        return block.array();
    }

    static final byte[] EMPTY = new byte[0];

    static int frameLength(ByteBuffer segment, int offset) {
        return segment.getInt(offset + FRAME_LENGTH);
    }

    static long sequence(ByteBuffer segment, int offset) {
        return segment.getLong(offset + SEQUENCE);
    }

    static long idHi(ByteBuffer segment, int offset) {
        return segment.getLong(offset + ID_HI);
    }

    static long idLo(ByteBuffer segment, int offset) {
        return segment.getLong(offset + ID_LO);
    }

    static long appendedAtNs(ByteBuffer segment, int offset) {
        return segment.getLong(offset + APPENDED_AT);
    }

    static int contextIdLength(ByteBuffer segment, int offset) {
        return Short.toUnsignedInt(segment.getShort(offset + CONTEXT_ID_LENGTH));
    }

    static int keyLength(ByteBuffer segment, int offset) {
        return Short.toUnsignedInt(segment.getShort(offset + KEY_LENGTH));
    }

    static int metadataLength(ByteBuffer segment, int offset) {
        return segment.getInt(offset + METADATA_LENGTH);
    }

    static int payloadLength(ByteBuffer segment, int offset) {
        return segment.getInt(offset + PAYLOAD_LENGTH);
    }

    private static int keyOffset(ByteBuffer segment, int offset) {
        return offset + HEADER_BYTES + contextIdLength(segment, offset);
    }

    static String contextId(ByteBuffer segment, int offset) {
        return utf8(segment, offset + HEADER_BYTES, contextIdLength(segment, offset));
    }

    static String key(ByteBuffer segment, int offset) {
        return utf8(segment, keyOffset(segment, offset), keyLength(segment, offset));
    }

    /** Whether the record's context id is exactly these UTF-8 bytes. */
    static boolean contextIdEquals(ByteBuffer segment, int offset, byte[] contextId) {
        return bytesEqual(segment, offset + HEADER_BYTES, contextIdLength(segment, offset), contextId);
    }

    /** Whether the record's key is exactly these UTF-8 bytes. */
    static boolean keyEquals(ByteBuffer segment, int offset, byte[] key) {
        return bytesEqual(segment, keyOffset(segment, offset), keyLength(segment, offset), key);
    }

    private static boolean bytesEqual(ByteBuffer segment, int at, int length, byte[] bytes) {
        if (length != bytes.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (segment.get(at + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /** A read-only view of the record's payload in the segment itself: no copy. */
    static ByteBuffer payload(ByteBuffer segment, int offset) {
        int at = keyOffset(segment, offset) + keyLength(segment, offset) + metadataLength(segment, offset);
        return segment.slice(at, payloadLength(segment, offset)).asReadOnlyBuffer();
    }

    /** The record's metadata, decoded onto the heap; an empty map for none. */
    static Map<String, String> metadata(ByteBuffer segment, int offset) {
        int length = metadataLength(segment, offset);
        if (length == 0) {
            return Map.of();
        }
        int at = keyOffset(segment, offset) + keyLength(segment, offset);
        int pairs = segment.getInt(at);
        at += 4;
        Map<String, String> metadata = new LinkedHashMap<>(pairs * 2);
        for (int p = 0; p < pairs; p++) {
            int kl = segment.getInt(at);
            String k = utf8(segment, at + 4, kl);
            at += 4 + kl;
            int vl = segment.getInt(at);
            String v = utf8(segment, at + 4, vl);
            at += 4 + vl;
            metadata.put(k, v);
        }
        return Collections.unmodifiableMap(metadata);
    }

    /** The whole entry, as readers see it; the payload is a view of the segment. */
    static Entry entry(ByteBuffer segment, int offset) {
        return new Entry(EntryIds.format(idHi(segment, offset), idLo(segment, offset)), key(segment, offset),
            payload(segment, offset), sequence(segment, offset), appendedAtNs(segment, offset),
            metadata(segment, offset));
    }

    private static String utf8(ByteBuffer segment, int at, int length) {
        if (length == 0) {
            return "";
        }
        byte[] bytes = new byte[length];
        segment.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Why the bytes at {@code offset} are not a whole, intact record within {@code limit},
     * or null when they are. Recovery's check: it trusts no length before it is bounded.
     */
    static String damage(ByteBuffer segment, ByteBuffer checksumView, CRC32C crc, int offset, int limit) {
        if (limit - offset < HEADER_BYTES) {
            return "a record header runs past the end of the segment";
        }
        int frame = frameLength(segment, offset);
        if (frame < HEADER_BYTES || frame > limit - offset) {
            return "its frame length " + frame + " is impossible here";
        }
        long fields = (long) HEADER_BYTES + contextIdLength(segment, offset) + keyLength(segment, offset)
            + Integer.toUnsignedLong(metadataLength(segment, offset))
            + Integer.toUnsignedLong(payloadLength(segment, offset));
        if (fields != frame) {
            return "its field lengths add up to " + fields + " bytes, not its frame length " + frame;
        }
        if (checksum(checksumView, crc, offset, offset + frame) != segment.getInt(offset + CRC)) {
            return "it fails its CRC-32C check";
        }
        if (contextIdLength(segment, offset) == 0 || sequence(segment, offset) < 1) {
            return "it names no context or sequence";
        }
        return null;
    }
}
