package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import io.converge.ledger.core.BatchEntries;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
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

    private int size;
    private String[] contextIds = new String[16];
    private String[] keys = new String[16];
    private byte[][] payloads = new byte[16][];
    @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type
    private Map<String, String>[] metadata = new Map[16];

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
                if (tag == ENTRIES) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    batch.readEntry(in);
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

    private void readEntry(CodedInputStream in) throws IOException {
        String contextId = "";
        String key = "";
        byte[] payload = EMPTY;
        Map<String, String> meta = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == CONTEXT_ID) {
                contextId = in.readStringRequireUtf8();
            } else if (tag == KEY) {
                key = in.readStringRequireUtf8();
            } else if (tag == PAYLOAD) {
                payload = in.readByteArray();
            } else if (tag == METADATA) {
                if (meta == null) {
                    meta = new HashMap<>();
                }
                int limit = in.pushLimit(in.readRawVarint32());
                readMapEntry(in, meta);
                in.checkLastTagWas(0);
                in.popLimit(limit);
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        add(contextId, key, payload, meta == null ? Map.of() : Map.copyOf(meta));
    }

    private static void readMapEntry(CodedInputStream in, Map<String, String> into) throws IOException {
        String k = "";
        String v = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == MAP_KEY) {
                k = in.readStringRequireUtf8();
            } else if (tag == MAP_VALUE) {
                v = in.readStringRequireUtf8();
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        into.put(k, v);
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
        return size;
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
