package io.converge.ledger.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The snapshot blob format, version {@value #VERSION}. Stateless and thread-safe.
 *
 * <pre>
 * blob    := magic version header entry* crc
 * magic   := "CLSN"                                  4 bytes
 * version := u32 = 1
 * header  := contextId:str createdAtNs:i64 firstSequence:i64 entryCount:u32
 * entry   := idHi:i64 idLo:i64 appendedAtNs:i64 key:str payload:bytes metadataPairs:u32 (str str)*
 * str     := u32 length, then that many bytes of UTF-8
 * bytes   := u32 length, then that many bytes
 * crc     := u32 CRC-32C of every byte before it
 * </pre>
 * All integers are big-endian. Entry {@code i} has sequence {@code firstSequence + i}; the
 * blob's latest sequence is {@code firstSequence + entryCount - 1}.
 *
 * <p>{@link #decode} trusts nothing: it checks the magic, the version, the checksum and
 * then every length against what remains, every string for valid UTF-8, every entry
 * against the contract's limits, and that append times never decrease. Any failure is a
 * {@link LedgerException} with reason {@code INVALID_ARGUMENT} and a message saying what
 * was wrong; no other exception escapes.
 */
public final class SnapshotCodec {
    /** The format version this codec writes. */
    public static final int VERSION = 1;
    /** The first four bytes of every blob: "CLSN". */
    public static final int MAGIC = 0x434C534E;

    private static final int PREFIX_BYTES = 8;
    private static final int CRC_BYTES = 4;
    /** The smallest entry: three longs and three zero lengths. */
    private static final int MIN_ENTRY_BYTES = 3 * 8 + 3 * 4;
    /** The largest blob a Java array holds. */
    private static final long MAX_BLOB_BYTES = Integer.MAX_VALUE - 8;

    private SnapshotCodec() {
    }

    /**
     * Encodes {@code entries} of {@code contextId} into a version-{@value #VERSION} blob.
     *
     * @throws LedgerException RESOURCE_EXHAUSTED when the blob would exceed 2 GiB
     */
    public static byte[] encode(String contextId, long createdAtNs, SnapshotEntries entries) {
        byte[] id = contextId.getBytes(StandardCharsets.UTF_8);
        int n = entries.size();
        long size = PREFIX_BYTES + 4L + id.length + 8 + 8 + 4 + CRC_BYTES;
        for (int i = 0; i < n; i++) {
            size += MIN_ENTRY_BYTES + InputRules.utf8Length(entries.key(i)) + entries.payload(i).length;
            for (Map.Entry<String, String> m : entries.metadata(i).entrySet()) {
                size += 8 + InputRules.utf8Length(m.getKey()) + InputRules.utf8Length(m.getValue());
            }
        }
        if (size > MAX_BLOB_BYTES) {
            throw LedgerException.exhausted("a snapshot of context " + contextId + " would be " + size
                + " bytes; the limit is " + MAX_BLOB_BYTES);
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt(MAGIC).putInt(VERSION);
        putBytes(out, id);
        out.putLong(createdAtNs).putLong(entries.firstSequence()).putInt(n);
        for (int i = 0; i < n; i++) {
            out.putLong(entries.idHi(i)).putLong(entries.idLo(i)).putLong(entries.appendedAtNs(i));
            putString(out, entries.key(i));
            putBytes(out, entries.payload(i));
            Map<String, String> metadata = entries.metadata(i);
            out.putInt(metadata.size());
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                putString(out, m.getKey());
                putString(out, m.getValue());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /**
     * Decodes and checks a blob.
     *
     * @throws LedgerException INVALID_ARGUMENT when the blob is empty, corrupt, truncated,
     *                         not a snapshot, of an unknown version or fails its checksum
     */
    public static DecodedSnapshot decode(byte[] blob) {
        if (blob.length == 0) {
            throw LedgerException.invalid("snapshot is empty");
        }
        if (blob.length < PREFIX_BYTES + CRC_BYTES) {
            throw LedgerException.invalid("snapshot is truncated or not a snapshot: " + blob.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(blob);
        if (in.getInt() != MAGIC) {
            throw LedgerException.invalid("snapshot is not a Converge Ledger snapshot: bad magic bytes");
        }
        int version = in.getInt();
        if (version != VERSION) {
            throw LedgerException.invalid("snapshot format version " + Integer.toUnsignedString(version)
                + " is not supported; this server reads version " + VERSION);
        }
        CRC32C crc = new CRC32C();
        crc.update(blob, 0, blob.length - CRC_BYTES);
        int expected = ByteBuffer.wrap(blob, blob.length - CRC_BYTES, CRC_BYTES).getInt();
        if ((int) crc.getValue() != expected) {
            throw LedgerException.invalid("snapshot fails its CRC-32C check: it is corrupt or truncated");
        }
        in.limit(blob.length - CRC_BYTES);
        try {
            return decodeBody(in, version);
        } catch (BufferUnderflowException e) {
            throw LedgerException.invalid("snapshot is truncated: a field runs past the end of the blob");
        }
    }

    private static DecodedSnapshot decodeBody(ByteBuffer in, int version) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        String contextId = getString(in, utf8, "context id");
        try {
            InputRules.checkContextId(contextId);
        } catch (LedgerException e) {
            throw LedgerException.invalid("snapshot holds a bad context id: " + e.getMessage());
        }
        long createdAtNs = in.getLong();
        long firstSequence = in.getLong();
        long count = Integer.toUnsignedLong(in.getInt());
        if (firstSequence < 1) {
            throw LedgerException.invalid("snapshot's first sequence is " + firstSequence + "; it must be at least 1");
        }
        if (count > Long.MAX_VALUE - firstSequence + 1) {
            throw LedgerException.invalid("snapshot's " + count + " entries from sequence " + firstSequence
                + " run past the largest sequence");
        }
        if (count > in.remaining() / MIN_ENTRY_BYTES) {
            throw LedgerException.invalid("snapshot claims " + count + " entries but holds only "
                + in.remaining() + " bytes of them");
        }
        int n = (int) count;
        long[] longs = new long[3 * n];
        Object[] refs = new Object[3 * n];
        int[] bodyBytes = new int[n];
        long lastAppendedAt = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long sequence = firstSequence + i;
            long appendedAt;
            longs[3 * i] = in.getLong();
            longs[3 * i + 1] = in.getLong();
            longs[3 * i + 2] = appendedAt = in.getLong();
            if (i > 0 && appendedAt < lastAppendedAt) {
                throw LedgerException.invalid("snapshot's appended_at_ns decreases at sequence " + sequence);
            }
            lastAppendedAt = appendedAt;
            String key = getString(in, utf8, "key");
            byte[] payload = getBytes(in, "payload");
            int pairs = in.getInt();
            if (pairs < 0 || pairs > in.remaining() / 8) {
                throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " claims "
                    + Integer.toUnsignedString(pairs) + " metadata pairs, more than the blob holds");
            }
            // Insertion order: re-encoding a decoded blob gives back the same bytes.
            Map<String, String> metadata = pairs == 0 ? Map.of() : new LinkedHashMap<>(pairs * 2);
            for (int p = 0; p < pairs; p++) {
                String k = getString(in, utf8, "metadata key");
                String v = getString(in, utf8, "metadata value");
                if (metadata.put(k, v) != null) {
                    throw LedgerException.invalid("snapshot's entry at sequence " + sequence
                        + " repeats the metadata key '" + k + "'");
                }
            }
            int keyBytes;
            int metadataBytes;
            try {
                keyBytes = InputRules.checkKey(key, "key");
                metadataBytes = InputRules.checkMetadata(metadata);
                InputRules.checkPayload(payload.length);
            } catch (LedgerException e) {
                throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " breaks a limit: "
                    + e.getMessage());
            }
            refs[3 * i] = key;
            refs[3 * i + 1] = payload;
            refs[3 * i + 2] = pairs == 0 ? metadata : Collections.unmodifiableMap(metadata);
            bodyBytes[i] = keyBytes + EntryRecord.metadataBlockBytes(metadataBytes, pairs) + payload.length;
        }
        if (in.hasRemaining()) {
            throw LedgerException.invalid("snapshot has " + in.remaining() + " unexpected bytes after its last entry");
        }
        return new DecodedSnapshot(version, contextId, createdAtNs, firstSequence, longs, refs, bodyBytes);
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        out.putInt(bytes.length).put(bytes);
    }

    private static void putString(ByteBuffer out, String s) {
        putBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] getBytes(ByteBuffer in, String what) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw LedgerException.invalid("snapshot is truncated or corrupt: a " + what + " of "
                + Integer.toUnsignedString(length) + " bytes runs past the end of the blob");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static String getString(ByteBuffer in, CharsetDecoder utf8, String what) {
        byte[] bytes = getBytes(in, what);
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw LedgerException.invalid("snapshot holds a " + what + " that is not valid UTF-8");
        }
    }
}
