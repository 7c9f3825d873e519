package io.converge.ledger.perf.load;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An {@code AppendBatchResponse} as the load generator reads it: how many acks it holds
 * and each ack's sequence, scanned from the wire without building an {@code AppendAck}
 * (or its id string) per entry, so that reading a million acks a second costs the client
 * one small array per batch. The methods {@link #appendBatch} and {@link #appendStream}
 * are the contract's, with this as the response type. Immutable once parsed.
 */
final class BatchAcks {
    /** Field 1 ({@code acks}), length-delimited: {@code (1 << 3) | 2}. */
    private static final int ACKS_TAG = (AppendBatchResponse.ACKS_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /** Field 1 of an ack ({@code sequence}), varint: {@code (1 << 3) | 0}. */
    private static final int SEQUENCE_TAG = (AppendAck.SEQUENCE_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_VARINT;

    private final long[] sequences;
    private final int count;

    private BatchAcks(long[] sequences, int count) {
        this.sequences = sequences;
        this.count = count;
    }

    int count() {
        return count;
    }

    /** The sequence of ack {@code i}, {@code 0 <= i < count()}; 0 when the ack carried none. */
    long sequence(int i) {
        return sequences[i];
    }

    /** {@code AppendBatch}, answered as {@link BatchAcks}; {@code expected} sizes the first array. */
    static MethodDescriptor<AppendBatchRequest, BatchAcks> appendBatch(int expected) {
        MethodDescriptor<AppendBatchRequest, ?> m = ContextServiceGrpc.getAppendBatchMethod();
        return m.toBuilder(m.getRequestMarshaller(), new Parser(expected)).build();
    }

    /** {@code AppendStream}, answered as {@link BatchAcks}; {@code expected} sizes the first array. */
    static MethodDescriptor<AppendBatchRequest, BatchAcks> appendStream(int expected) {
        MethodDescriptor<AppendBatchRequest, ?> m = ContextServiceGrpc.getAppendStreamMethod();
        return m.toBuilder(m.getRequestMarshaller(), new Parser(expected)).build();
    }

    /** Reads {@code AppendBatchResponse} bytes; unknown fields are skipped. Never writes one. Stateless. */
    static final class Parser implements MethodDescriptor.Marshaller<BatchAcks> {
        private final int expected;

        Parser(int expected) {
            this.expected = Math.max(1, expected);
        }

        @Override
        public InputStream stream(BatchAcks value) {
            throw new UnsupportedOperationException("the load generator never sends acks");
        }

        @Override
        public BatchAcks parse(InputStream stream) {
            try {
                return read(CodedInputStream.newInstance(stream.readAllBytes()));
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("unreadable AppendBatchResponse").withCause(e)
                    .asRuntimeException();
            }
        }

        BatchAcks read(CodedInputStream in) throws IOException {
            long[] sequences = new long[expected];
            int n = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag != ACKS_TAG) {
                    in.skipField(tag);
                    continue;
                }
                int limit = in.pushLimit(in.readRawVarint32());
                long sequence = 0;
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    if (t == SEQUENCE_TAG) {
                        sequence = in.readUInt64();
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
                if (n == sequences.length) {
                    sequences = Arrays.copyOf(sequences, n * 2);
                }
                sequences[n++] = sequence;
            }
            return new BatchAcks(sequences, n);
        }
    }
}
