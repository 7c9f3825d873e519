package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The format of the messages a clustered ledger puts in its replicated log, little-endian:
 *
 * <pre>
 *  header   int type, int origin member id, long correlation (the origin's, per message)
 *  APPENDS  int commands, then per command: byte kind (0 one Append, 1 an AppendBatch),
 *           int entries, then per entry: context id, key (each int length + UTF-8),
 *           int metadata block length + the record's metadata block, int payload length + payload
 *  LOAD     context id (int length + UTF-8), byte fail_if_exists, int blob length + the blob
 *  BARRIER  long barrier id (the origin's)
 * </pre>
 *
 * A message carries no sequence, id or time: each member's {@link LogApplier} derives them
 * from the message's log position and cluster timestamp, so every member stores the same.
 */
public final class LogMessages {
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int APPENDS = 1;
    public static final int LOAD = 2;
    public static final int BARRIER = 3;
    public static final int HEADER_BYTES = 16;
    public static final int BARRIER_BYTES = HEADER_BYTES + 8;
    static final byte ONE_APPEND = 0;
    static final byte A_BATCH = 1;

    private LogMessages() {
    }

    /** The message's type ({@link #APPENDS}, {@link #LOAD}, {@link #BARRIER}). */
    public static int type(ByteBuffer message, int offset) {
        return message.getInt(offset);
    }

    /** The id of the member whose ring forwarded the message. */
    public static int origin(ByteBuffer message, int offset) {
        return message.getInt(offset + 4);
    }

    /** The origin's correlation of the message (a barrier's or a write's). */
    public static long correlation(ByteBuffer message, int offset) {
        return message.getLong(offset + 8);
    }

    /** Writes a barrier message at {@code offset}; {@link #BARRIER_BYTES} long. */
    public static void writeBarrier(ByteBuffer into, int offset, int origin, long barrierId) {
        into.putInt(offset, BARRIER).putInt(offset + 4, origin).putLong(offset + 8, barrierId)
            .putLong(offset + HEADER_BYTES, barrierId);
    }

    /** The bytes an entry takes in an APPENDS message. */
    static int entryBytes(int contextIdBytes, int keyBytes, int metadataBlockBytes, int payloadBytes) {
        return 16 + contextIdBytes + keyBytes + metadataBlockBytes + payloadBytes;
    }
}
