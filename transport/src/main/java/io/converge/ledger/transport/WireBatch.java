package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import io.converge.ledger.core.BatchEntries;
import io.converge.ledger.core.InputRules;
import io.converge.ledger.core.MetadataBlock;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/**
 * An {@code AppendBatchRequest} read straight off the wire into the columns the ledger
 * takes (context ids, keys, payloads, metadata), without building an {@code AppendRequest}
 * message per entry. Parsed by {@link #parse} with protobuf's own {@link CodedInputStream}
 * and the same rules as the generated parser: strings must be valid UTF-8, the last value
 * of a repeated scalar field wins, later map keys replace earlier ones, unknown fields are
 * skipped. Immutable once parsed; consecutive equal context ids and keys share one String.
 */
final class WireBatch implements BatchEntries {
    private static final int ENTRIES = lengthDelimited(AppendBatchRequest.ENTRIES_FIELD_NUMBER);
    private static final int CONTEXT_ID = lengthDelimited(AppendRequest.CONTEXT_ID_FIELD_NUMBER);
    private static final int KEY = lengthDelimited(AppendRequest.KEY_FIELD_NUMBER);
    private static final int PAYLOAD = lengthDelimited(AppendRequest.PAYLOAD_FIELD_NUMBER);
    private static final int METADATA = lengthDelimited(AppendRequest.METADATA_FIELD_NUMBER);
    /** A map entry's key and value fields (protobuf's map encoding). */
    private static final int MAP_KEY = lengthDelimited(1);
    private static final int MAP_VALUE = lengthDelimited(2);
    private static final byte[] EMPTY = new byte[0];
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private int size;
    private String[] contextIds = new String[16];
    private String[] keys = new String[16];
    private byte[][] payloads = new byte[16][];
    @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type
    private Map<String, String>[] metadata = new Map[16];

    /** Entries after the first {@link InputRules#MAX_BATCH_ENTRIES}: counted only. */
    private int beyondLimit;
    /** Scratch while parsing: the current entry's metadata pairs as ranges of the message (see {@link MetadataBlock}). */
    private int[] ranges = new int[64];

    private WireBatch() {
    }

    private static int lengthDelimited(int fieldNumber) {
        return fieldNumber << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED; // protobuf's tag encoding
    }

    /**
     * Reads one serialized {@code AppendBatchRequest}.
     *
     * @throws InvalidProtocolBufferException for bytes the generated parser would refuse too
     */
    static WireBatch parse(byte[] message) throws InvalidProtocolBufferException {
        WireBatch batch = new WireBatch();
        CodedInputStream in = CodedInputStream.newInstance(message);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == ENTRIES && batch.size == InputRules.MAX_BATCH_ENTRIES) {
                    batch.beyondLimit++;
                    in.skipField(tag); // counted, never parsed: the ledger refuses the batch by its size
                } else if (tag == ENTRIES) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    batch.readEntry(in, message);
                    in.checkLastTagWas(0);
                    in.popLimit(limit);
                } else if (!in.skipField(tag)) {
                    break; // an end-group tag: refused just below, as the generated parser does
                }
            }
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        batch.ranges = null;
        return batch;
    }

    /** The batch as the generated message: for the marshaller's other direction, and tests. */
    AppendBatchRequest toProto() {
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (int i = 0; i < size; i++) {
            b.addEntries(AppendRequest.newBuilder()
                .setContextId(contextIds[i])
                .setKey(keys[i])
                .setPayload(ByteString.copyFrom(payloads[i]))
                .putAllMetadata(metadata[i]));
        }
        return b.build();
    }

    private void readEntry(CodedInputStream in, byte[] message) throws IOException {
        String contextId = "";
        String key = "";
        byte[] payload = EMPTY;
        int pairs = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == CONTEXT_ID) {
                contextId = in.readStringRequireUtf8();
            } else if (tag == KEY) {
                key = in.readStringRequireUtf8();
            } else if (tag == PAYLOAD) {
                payload = in.readByteArray();
            } else if (tag == METADATA) {
                if (4 * pairs + 4 > ranges.length) {
                    ranges = Arrays.copyOf(ranges, ranges.length * 2);
                }
                int length = in.readRawVarint32();
                if (!readShortMapEntry(message, in.getTotalBytesRead(), length, 4 * pairs)) {
                    int limit = in.pushLimit(length);
                    readMapEntry(in, message, 4 * pairs);
                    in.checkLastTagWas(0);
                    in.popLimit(limit);
                } else {
                    in.skipRawBytes(length);
                }
                pairs++;
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        Map<String, String> meta = Map.of();
        if (pairs > 0) {
            MetadataKeys.dropReplaced(message, ranges, pairs);
            meta = MetadataBlock.copyOf(message, ranges, pairs);
        }
        add(contextId, key, payload, meta);
    }

    /**
     * The common shape of a map entry, read straight from the array: a key and a value
     * field, in that order, each shorter than 128 bytes. False (having read nothing) for
     * any other shape, which {@link #readMapEntry} reads.
     */
    private boolean readShortMapEntry(byte[] message, int at, int length, int into) {
        int end = at + length;
        if (length < 4 || end > message.length || message[at] != MAP_KEY) {
            return false;
        }
        int kl = message[at + 1];
        int valueTag = at + 2 + kl;
        if (kl < 0 || valueTag + 2 > end || message[valueTag] != MAP_VALUE) {
            return false;
        }
        int vl = message[valueTag + 1];
        if (vl < 0 || valueTag + 2 + vl != end || !ascii(message, at + 2, kl) || !ascii(message, valueTag + 2, vl)) {
            return false;
        }
        ranges[into] = at + 2;
        ranges[into + 1] = kl;
        ranges[into + 2] = valueTag + 2;
        ranges[into + 3] = vl;
        return true;
    }

    /** Reads one map entry's key and value as ranges of {@code message} into {@code ranges[at..at+3]}. */
    private void readMapEntry(CodedInputStream in, byte[] message, int at) throws IOException {
        int k = -1;
        int kl = 0;
        int v = -1;
        int vl = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == MAP_KEY) {
                kl = in.readRawVarint32();
                k = utf8At(in, message, kl);
            } else if (tag == MAP_VALUE) {
                vl = in.readRawVarint32();
                v = utf8At(in, message, vl);
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        ranges[at] = Math.max(k, 0);
        ranges[at + 1] = k < 0 ? 0 : kl;
        ranges[at + 2] = Math.max(v, 0);
        ranges[at + 3] = v < 0 ? 0 : vl;
    }

    private static boolean ascii(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + Long.BYTES <= end; i += Long.BYTES) { // eight bytes at a time: any high bit is not ASCII
            if (((long) LONG.get(bytes, i) & 0x8080808080808080L) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Skips the {@code length} bytes of a string field just announced; returns their offset, once checked as UTF-8. */
    private static int utf8At(CodedInputStream in, byte[] message, int length) throws IOException {
        if (length < 0) {
            throw new InvalidProtocolBufferException("a string field claimed a negative size");
        }
        int offset = in.getTotalBytesRead();
        in.skipRawBytes(length); // throws for a length beyond the message, as the generated parser does
        if (!ascii(message, offset, length) && !UnsafeByteOperations.unsafeWrap(message, offset, length).isValidUtf8()) {
            throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
        return offset;
    }

    private void add(String contextId, String key, byte[] payload, Map<String, String> meta) {
        if (size == contextIds.length) {
            int n = size * 2;
            contextIds = Arrays.copyOf(contextIds, n);
            keys = Arrays.copyOf(keys, n);
            payloads = Arrays.copyOf(payloads, n);
            metadata = Arrays.copyOf(metadata, n);
        }
        if (size > 0) { // a run of one context or key keeps one String
            if (contextId.equals(contextIds[size - 1])) {
                contextId = contextIds[size - 1];
            }
            if (key.equals(keys[size - 1])) {
                key = keys[size - 1];
            }
        }
        contextIds[size] = contextId;
        keys[size] = key;
        payloads[size] = payload;
        metadata[size] = meta;
        size++;
    }

    @Override
    public int size() {
        return size + beyondLimit;
    }

    @Override
    public String contextId(int index) {
        return contextIds[index];
    }

    @Override
    public String key(int index) {
        return keys[index];
    }

    @Override
    public int payloadLength(int index) {
        return payloads[index].length;
    }

    /** The payload as read off the wire: its own array, not shared with anything. */
    @Override
    public byte[] payload(int index) {
        return payloads[index];
    }

    @Override
    public Map<String, String> metadata(int index) {
        return metadata[index];
    }
}
