package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
     * Decodes and checks a blob, with no bound on append times (tests, tools).
     *
     * @throws LedgerException INVALID_ARGUMENT when the blob is empty, corrupt, truncated,
     *                         not a snapshot, of an unknown version or fails its checksum
     */
    public static DecodedSnapshot decode(byte[] blob) {
        return decode(SnapshotBytes.of(blob), Long.MAX_VALUE);
    }

    /**
     * Decodes and checks a blob: the format, the checksum, then every entry (see the class
     * doc), plus what a Load needs: every {@code appended_at_ns} from 0 to
     * {@code latestAppendedAtNs}, every id well-formed (not the nil id; within a run of
     * entries with the same high bits, the low bits increase, as an instance issues them).
     * The result reads its entries from {@code blob}, which must stay unchanged while it is used.
     *
     * @throws LedgerException INVALID_ARGUMENT when the blob is empty, corrupt, truncated,
     *                         not a snapshot, of an unknown version, fails its checksum or
     *                         breaks a rule; the message names the entry by its sequence
     */
    public static DecodedSnapshot decode(SnapshotBytes blob, long latestAppendedAtNs) {
        long size = blob.size();
        if (size == 0) {
            throw LedgerException.invalid("snapshot is empty");
        }
        if (size < PREFIX_BYTES + CRC_BYTES) {
            throw LedgerException.invalid("snapshot is truncated or not a snapshot: " + size + " bytes");
        }
        if (size > MAX_BLOB_BYTES) {
            throw LedgerException.invalid("snapshot of " + size + " bytes is larger than any this format holds ("
                + MAX_BLOB_BYTES + " bytes)");
        }
        if (blob.getInt(0) != MAGIC) {
            throw LedgerException.invalid("snapshot is not a Converge Ledger snapshot: bad magic bytes");
        }
        int version = blob.getInt(4);
        if (version != VERSION) {
            throw LedgerException.invalid("snapshot format version " + Integer.toUnsignedString(version)
                + " is not supported; this server reads version " + VERSION);
        }
        CRC32C crc = new CRC32C();
        blob.update(crc, 0, size - CRC_BYTES);
        if ((int) crc.getValue() != blob.getInt(size - CRC_BYTES)) {
            throw LedgerException.invalid("snapshot fails its CRC-32C check: it is corrupt or truncated");
        }
        return new BlobReader(blob, PREFIX_BYTES, (int) (size - CRC_BYTES)).decode(version, latestAppendedAtNs);
    }

    /** Reads a blob's body by position, checking every length against what remains. */
    private static final class BlobReader {
        private final SnapshotBytes blob;
        private final int limit;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        private byte[] scratch = new byte[256];
        private int at;

        BlobReader(SnapshotBytes blob, int at, int limit) {
            this.blob = blob;
            this.at = at;
            this.limit = limit;
        }

        private int remaining() {
            return limit - at;
        }

        private void need(int n) {
            if (n > remaining()) {
                throw LedgerException.invalid("snapshot is truncated: a field runs past the end of the blob");
            }
        }

        private int getInt() {
            need(4);
            int v = blob.getInt(at);
            at += 4;
            return v;
        }

        private long getLong() {
            need(8);
            long v = blob.getLong(at);
            at += 8;
            return v;
        }

        /** Reads a length and checks it against what remains and against {@code max}; returns it. */
        private int length(String what, int max, long sequence) {
            int length = getInt();
            if (length < 0 || length > remaining()) {
                throw LedgerException.invalid("snapshot is truncated or corrupt: a " + what + " of "
                    + Integer.toUnsignedString(length) + " bytes runs past the end of the blob");
            }
            if (length > max) {
                throw LedgerException.invalid((sequence > 0 ? "snapshot's entry at sequence " + sequence
                    + " breaks a limit: its " : "snapshot holds a ") + what + " of " + length
                    + " bytes, longer than " + max + " bytes");
            }
            return length;
        }

        private String string(String what, int max, long sequence) {
            int length = length(what, max, sequence);
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, 2 * scratch.length)];
            }
            blob.get(at, scratch, length);
            at += length;
            try {
                return utf8.reset().decode(ByteBuffer.wrap(scratch, 0, length)).toString();
            } catch (CharacterCodingException e) {
                throw LedgerException.invalid("snapshot holds a " + what + " that is not valid UTF-8"
                    + (sequence > 0 ? " at sequence " + sequence : ""));
            }
        }

        DecodedSnapshot decode(int version, long latestAppendedAtNs) {
            String contextId = string("context id", InputRules.MAX_CONTEXT_ID_BYTES, 0);
            try {
                InputRules.checkContextId(contextId);
            } catch (LedgerException e) {
                throw LedgerException.invalid("snapshot holds a bad context id: " + e.getMessage());
            }
            long createdAtNs = getLong();
            long firstSequence = getLong();
            long count = Integer.toUnsignedLong(getInt());
            if (firstSequence < 1) {
                throw LedgerException.invalid("snapshot's first sequence is " + firstSequence
                    + "; it must be at least 1");
            }
            if (count > Long.MAX_VALUE - firstSequence + 1) {
                throw LedgerException.invalid("snapshot's " + count + " entries from sequence " + firstSequence
                    + " run past the largest sequence");
            }
            if (count > remaining() / MIN_ENTRY_BYTES) {
                throw LedgerException.invalid("snapshot claims " + count + " entries but holds only "
                    + remaining() + " bytes of them");
            }
            int n = (int) count;
            int[] offsets = new int[n];
            long lastAppendedAt = Long.MIN_VALUE;
            long lastIdHi = 0;
            long lastIdLo = 0;
            Set<String> metadataKeys = new HashSet<>();
            for (int i = 0; i < n; i++) {
                long sequence = firstSequence + i;
                offsets[i] = at;
                long idHi = getLong();
                long idLo = getLong();
                long appendedAt = getLong();
                checkId(sequence, idHi, idLo, i > 0 && idHi == lastIdHi, lastIdLo);
                lastIdHi = idHi;
                lastIdLo = idLo;
                if (appendedAt < 0 || appendedAt > latestAppendedAtNs) {
                    throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " has appended_at_ns "
                        + Long.toUnsignedString(appendedAt) + ", later than this server accepts: its clock now"
                        + " plus the allowed skew (LEDGER_LOAD_MAX_CLOCK_SKEW_MS)");
                }
                if (i > 0 && appendedAt < lastAppendedAt) {
                    throw LedgerException.invalid("snapshot's appended_at_ns decreases at sequence " + sequence);
                }
                lastAppendedAt = appendedAt;
                string("key", InputRules.MAX_KEY_BYTES, sequence);
                int payload = length("payload", Integer.MAX_VALUE, sequence);
                if (payload > InputRules.MAX_PAYLOAD_BYTES) {
                    throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " breaks a limit: "
                        + "its payload of " + payload + " bytes is larger than " + InputRules.MAX_PAYLOAD_BYTES
                        + " bytes (4 MiB)");
                }
                at += payload;
                metadata(sequence, metadataKeys);
            }
            if (remaining() > 0) {
                throw LedgerException.invalid("snapshot has " + remaining()
                    + " unexpected bytes after its last entry");
            }
            return new DecodedSnapshot(version, contextId, createdAtNs, firstSequence, blob, offsets);
        }

        private static void checkId(long sequence, long idHi, long idLo, boolean sameRun, long lastIdLo) {
            if (idHi == 0 && idLo == 0) {
                throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " has the nil id");
            }
            if (sameRun && Long.compareUnsigned(idLo, lastIdLo) <= 0) {
                throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " has id "
                    + EntryIds.format(idHi, idLo) + ", which no instance issues after the id of the entry before it ("
                    + EntryIds.format(idHi, lastIdLo) + ")");
            }
        }

        private void metadata(long sequence, Set<String> keys) {
            int pairs = getInt();
            if (pairs < 0 || pairs > remaining() / 8) {
                throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " claims "
                    + Integer.toUnsignedString(pairs) + " metadata pairs, more than the blob holds");
            }
            keys.clear();
            long utf8Bytes = 0;
            for (int p = 0; p < pairs; p++) {
                int keyAt = at;
                String k = string("metadata key", Integer.MAX_VALUE, sequence);
                int valueAt = at;
                string("metadata value", Integer.MAX_VALUE, sequence);
                utf8Bytes += valueAt - keyAt - 4 + at - valueAt - 4;
                if (utf8Bytes > InputRules.MAX_METADATA_BYTES) {
                    throw LedgerException.invalid("snapshot's entry at sequence " + sequence + " breaks a limit: "
                        + "its metadata holds at least " + utf8Bytes + " bytes of UTF-8 keys and values in all; "
                        + "the limit is " + InputRules.MAX_METADATA_BYTES + " (64 KiB)");
                }
                if (!keys.add(k)) {
                    throw LedgerException.invalid("snapshot's entry at sequence " + sequence
                        + " repeats the metadata key '" + k + "'");
                }
            }
        }
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        out.putInt(bytes.length).put(bytes);
    }

    private static void putString(ByteBuffer out, String s) {
        putBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }
}
