package io.converge.ledger.perf.load;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.converge.context.v1.AppendRequest;

import java.util.Arrays;

/**
 * The Appends of a run, built once: one request per context with the preallocated
 * payload, reused for every call. When the run has watchers, each call instead carries
 * its send time ({@link System#nanoTime()}, big-endian) in the payload's first 8 bytes:
 * a fresh 8-byte head joined to the shared tail, so only the head is allocated per call.
 * Immutable; thread-safe.
 */
final class AppendRequests {
    private final AppendRequest[] prebuilt;
    private final ByteString tail;
    private final int payloadBytes;
    private final boolean stamped;

    AppendRequests(LoadOptions options) {
        this.payloadBytes = options.payloadBytes();
        this.stamped = options.watchers() > 0;
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) 'x');
        ByteString whole = UnsafeByteOperations.unsafeWrap(payload);
        this.tail = stamped ? whole.substring(LoadOptions.STAMP_BYTES) : whole;
        this.prebuilt = new AppendRequest[options.contexts()];
        for (int i = 0; i < prebuilt.length; i++) {
            prebuilt[i] = AppendRequest.newBuilder().setContextId(options.contextId(i)).setPayload(whole).build();
        }
    }

    int payloadBytes() {
        return payloadBytes;
    }

    /** The request for context {@code context}, sent at {@code sendNanos} (used only when stamped). */
    AppendRequest request(int context, long sendNanos) {
        if (!stamped) {
            return prebuilt[context];
        }
        byte[] head = new byte[LoadOptions.STAMP_BYTES];
        for (int i = LoadOptions.STAMP_BYTES - 1; i >= 0; i--) {
            head[i] = (byte) sendNanos;
            sendNanos >>>= 8;
        }
        return prebuilt[context].toBuilder().setPayload(UnsafeByteOperations.unsafeWrap(head).concat(tail)).build();
    }

    /** Whether payloads carry their send time (the run has watchers). */
    boolean stamped() {
        return stamped;
    }

    /** The send time a stamped payload carries, in {@link System#nanoTime()} ns. */
    static long stamp(ByteString payload) {
        long nanos = 0;
        for (int i = 0; i < LoadOptions.STAMP_BYTES; i++) {
            nanos = (nanos << 8) | (payload.byteAt(i) & 0xFF);
        }
        return nanos;
    }
}
