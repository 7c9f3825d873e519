package io.converge.ledger.transport;

import com.google.protobuf.CodedOutputStream;
import io.converge.ledger.core.AppendedBatch;
import io.converge.ledger.core.EntryIds;

/**
 * Writes a batch's wire answer, an {@code AppendBatchResponse} of one {@code AppendAck} per
 * entry in request order, straight into its bytes: no ack objects, no id Strings, and no
 * UTF-8 pass (an id is ASCII). The bytes are the ones protobuf-java writes for the same
 * message (fields in number order, a zero field left out). Stateless.
 */
final class BatchAcks {
    /** AppendBatchResponse.acks: field 1, length-delimited. */
    private static final byte ACK_TAG = 1 << 3 | 2;
    /** AppendAck.sequence: field 1, varint. */
    private static final byte SEQUENCE_TAG = 1 << 3;
    /** AppendAck.id: field 2, length-delimited. */
    private static final byte ID_TAG = 2 << 3 | 2;
    /** AppendAck.appended_at_ns: field 3, varint. */
    private static final byte APPENDED_AT_TAG = 3 << 3;

    private BatchAcks() {
    }

    /** The ledger's answer to a stored batch. */
    static EncodedMessage of(AppendedBatch batch) {
        int n = batch.size();
        int length = 0;
        for (int i = 0; i < n; i++) {
            length += framedSize(batch.sequence(i), batch.appendedAtNs(i));
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int i = 0; i < n; i++) {
            at = write(bytes, at, batch.sequence(i), batch.idHi(i), batch.idLo(i), batch.appendedAtNs(i));
        }
        return EncodedMessage.of(bytes);
    }

    /**
     * An answer of {@code n} acks whose sequences and id low bits count up from
     * {@code firstSequence} and {@code firstIdLo}, sharing {@code idHi} and one time: the
     * no-op baseline's, built the same way as the ledger's.
     */
    static EncodedMessage consecutive(int n, long firstSequence, long idHi, long firstIdLo, long appendedAtNs) {
        int length = 0;
        for (int i = 0; i < n; i++) {
            length += framedSize(firstSequence + i, appendedAtNs);
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int i = 0; i < n; i++) {
            at = write(bytes, at, firstSequence + i, idHi, firstIdLo + i, appendedAtNs);
        }
        return EncodedMessage.of(bytes);
    }

    /** Bytes of one framed ack: its tag and length in the response, then the ack (always under 128 bytes). */
    private static int framedSize(long sequence, long appendedAtNs) {
        return 2 + ackSize(sequence, appendedAtNs);
    }

    private static int ackSize(long sequence, long appendedAtNs) {
        return (sequence == 0 ? 0 : 1 + CodedOutputStream.computeUInt64SizeNoTag(sequence))
            + 2 + EntryIds.TEXT_BYTES
            + (appendedAtNs == 0 ? 0 : 1 + CodedOutputStream.computeUInt64SizeNoTag(appendedAtNs));
    }

    /** Writes one framed ack at {@code at}; returns where the next one goes. */
    private static int write(byte[] into, int at, long sequence, long idHi, long idLo, long appendedAtNs) {
        into[at++] = ACK_TAG;
        into[at++] = (byte) ackSize(sequence, appendedAtNs);
        if (sequence != 0) {
            into[at++] = SEQUENCE_TAG;
            at = varint(into, at, sequence);
        }
        into[at++] = ID_TAG;
        into[at++] = EntryIds.TEXT_BYTES;
        EntryIds.writeText(idHi, idLo, into, at);
        at += EntryIds.TEXT_BYTES;
        if (appendedAtNs != 0) {
            into[at++] = APPENDED_AT_TAG;
            at = varint(into, at, appendedAtNs);
        }
        return at;
    }

    /** {@code value} as an unsigned base-128 varint at {@code at}; returns the index after it. */
    private static int varint(byte[] into, int at, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            into[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        into[at++] = (byte) v;
        return at;
    }
}
