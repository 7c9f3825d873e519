package io.converge.ledger.transport;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A response message already in its wire bytes: the concatenation of {@code parts}, each
 * the bytes of one or more length-delimited fields 1. For Watch and WatchBatches a part is
 * an {@code Entry} as {@link EncodedEntries} frames it: one part is a {@code WatchEvent},
 * several are a {@code WatchBatch}. For AppendBatch and AppendStream the one part is a whole
 * {@code AppendBatchResponse} as {@link BatchAcks} writes it. The parts are shared, never
 * copied or modified: the marshaller streams them to gRPC as they are. Immutable.
 */
final class EncodedMessage {
    /** Writes the message's parts as they are; reads a message whole (as a client or a test would). */
    static final MethodDescriptor.Marshaller<EncodedMessage> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(EncodedMessage value) {
            return new PartsStream(value.parts, value.length);
        }

        @Override
        public EncodedMessage parse(InputStream stream) {
            try {
                byte[] bytes = stream.readAllBytes();
                return new EncodedMessage(new byte[][] {bytes}, bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final byte[][] parts;
    private final int length;

    private EncodedMessage(byte[][] parts, int length) {
        this.parts = parts;
        this.length = length;
    }

    /** @param parts framed entries, shared (not copied); {@code length} is the sum of their lengths */
    static EncodedMessage of(byte[][] parts, int length) {
        return new EncodedMessage(parts, length);
    }

    static EncodedMessage of(byte[] part) {
        return new EncodedMessage(new byte[][] {part}, part.length);
    }

    /** The message's size on the wire, in bytes (without gRPC's 5-byte prefix). */
    int length() {
        return length;
    }

    /**
     * The parts as one stream: gRPC learns the length up front ({@link KnownLength}) and
     * drains the parts straight into its buffers ({@link Drainable}), without an
     * intermediate copy. One reader at a time.
     */
    private static final class PartsStream extends InputStream implements KnownLength, Drainable {
        private final byte[][] parts;
        private int part;
        private int offset;
        private int remaining;

        PartsStream(byte[][] parts, int length) {
            this.parts = parts;
            this.remaining = length;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int written = remaining;
            for (; part < parts.length; part++, offset = 0) {
                target.write(parts[part], offset, parts[part].length - offset);
            }
            remaining = 0;
            return written;
        }

        @Override
        public int available() {
            return remaining;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return len == 0 ? 0 : -1;
            }
            int copied = 0;
            while (copied < len && part < parts.length) {
                byte[] p = parts[part];
                int n = Math.min(len - copied, p.length - offset);
                System.arraycopy(p, offset, b, off + copied, n);
                copied += n;
                offset += n;
                if (offset == p.length) {
                    part++;
                    offset = 0;
                }
            }
            remaining -= copied;
            return copied;
        }
    }
}
