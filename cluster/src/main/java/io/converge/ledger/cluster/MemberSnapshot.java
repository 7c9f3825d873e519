package io.converge.ledger.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.FragmentHandler;
import io.converge.ledger.core.LogApplier;
import io.converge.ledger.core.SnapshotBytes;
import io.converge.ledger.core.SnapshotStream;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A member's cluster snapshot: its whole store, one context at a time in the ledger's own
 * snapshot format (core's {@link SnapshotStream}, the blob Snapshot returns), so that a member
 * that restarts loads it and replays only the log after it. Messages, little-endian:
 *
 * <pre>
 *  BEGIN    int 1, int version 1, long id bits, int contexts
 *  CONTEXT  int 2, int context id length + UTF-8, long blob bytes
 *  CHUNK    int 3, the blob's next bytes
 *  END      int 4
 * </pre>
 *
 * Written and read on the clustered service's thread.
 */
final class MemberSnapshot {
    private static final int BEGIN = 1;
    private static final int CONTEXT = 2;
    private static final int CHUNK = 3;
    private static final int END = 4;
    private static final int VERSION = 1;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private MemberSnapshot() {
    }

    /** Writes every context of the store; waits (with {@code idle}) while the publication is back-pressured. */
    static void write(LogApplier applier, ExclusivePublication pub, IdleStrategy idle, long createdAtNs) {
        int chunkBytes = Math.min(256 << 10, pub.maxMessageLength() - 8);
        UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(chunkBytes + 8));
        java.util.List<String> contexts = applier.contextIds();
        out.putInt(0, BEGIN, ORDER);
        out.putInt(4, VERSION, ORDER);
        out.putLong(8, applier.idBits(), ORDER);
        out.putInt(16, contexts.size(), ORDER);
        offer(pub, out, 20, idle);
        ByteBuffer chunk = ByteBuffer.allocate(chunkBytes);
        for (String contextId : contexts) {
            SnapshotStream blob = applier.snapshotOf(contextId, createdAtNs);
            byte[] id = contextId.getBytes(StandardCharsets.UTF_8);
            out.putInt(0, CONTEXT, ORDER);
            out.putInt(4, id.length, ORDER);
            out.putBytes(8, id);
            out.putLong(8 + id.length, blob.sizeBytes(), ORDER);
            offer(pub, out, 16 + id.length, idle);
            while (blob.hasRemaining()) {
                chunk.clear();
                blob.read(chunk);
                chunk.flip();
                out.putInt(0, CHUNK, ORDER);
                int n = chunk.remaining();
                out.putBytes(4, chunk, 0, n);
                offer(pub, out, 4 + n, idle);
            }
        }
        out.putInt(0, END, ORDER);
        offer(pub, out, 4, idle);
    }

    private static void offer(ExclusivePublication pub, DirectBuffer buffer, int length, IdleStrategy idle) {
        idle.reset();
        while (true) {
            long result = pub.offer(buffer, 0, length);
            if (result > 0) {
                return;
            }
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED
                || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("the snapshot publication refused a message (" + result + ")");
            }
            idle.idle();
        }
    }

    /**
     * Restores a snapshot into the (empty) store through {@code applier}, reading {@code image}
     * to its END.
     *
     * @throws IllegalStateException when the snapshot is of another version, ends early or does not restore
     */
    static void read(Image image, LogApplier applier, IdleStrategy idle) {
        Reader reader = new Reader(applier);
        FragmentHandler assembled = new ImageFragmentAssembler(reader);
        idle.reset();
        while (!reader.done) {
            int fragments = image.poll(assembled, 64);
            if (fragments == 0) {
                if (image.isClosed() || image.isEndOfStream()) {
                    throw new IllegalStateException("the member snapshot ended before its END");
                }
                idle.idle();
            } else {
                idle.reset();
            }
        }
    }

    private static final class Reader implements FragmentHandler {
        private final LogApplier applier;
        private boolean done;
        private String contextId;
        private long remaining;
        private SnapshotBytes.Staging staging;

        Reader(LogApplier applier) {
            this.applier = applier;
        }

        @Override
        public void onFragment(DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
            switch (buffer.getInt(offset, ORDER)) {
                case BEGIN -> {
                    int version = buffer.getInt(offset + 4, ORDER);
                    if (version != VERSION) {
                        throw new IllegalStateException("a member snapshot of version " + version + "; this server"
                            + " reads version " + VERSION);
                    }
                    applier.restoreIdBits(buffer.getLong(offset + 8, ORDER));
                }
                case CONTEXT -> {
                    int idBytes = buffer.getInt(offset + 4, ORDER);
                    contextId = buffer.getStringWithoutLengthUtf8(offset + 8, idBytes);
                    remaining = buffer.getLong(offset + 8 + idBytes, ORDER);
                    staging = SnapshotBytes.staging();
                }
                case CHUNK -> {
                    int n = length - 4;
                    ByteBuffer bytes = ByteBuffer.allocate(n);
                    buffer.getBytes(offset + 4, bytes, 0, n);
                    staging.append(bytes);
                    remaining -= n;
                    if (remaining == 0) {
                        applier.restore(contextId, staging.finish());
                        staging = null;
                    }
                }
                case END -> done = true;
                default -> throw new IllegalStateException("a member snapshot message of unknown kind "
                    + buffer.getInt(offset, ORDER));
            }
        }
    }
}
