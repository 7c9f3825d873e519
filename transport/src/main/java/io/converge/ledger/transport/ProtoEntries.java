package io.converge.ledger.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.converge.context.v1.Entry;

/** Translates the core's entries to the wire's. Stateless. */
final class ProtoEntries {
    private ProtoEntries() {
    }

    /** The wire form of a stored entry; shares (does not copy) the stored payload. */
    static Entry toProto(io.converge.ledger.core.Entry e) {
        return Entry.newBuilder()
            .setId(e.id())
            .setKey(e.key())
            // The stored payload is never modified, so the wire message may share it.
            .setPayload(UnsafeByteOperations.unsafeWrap(e.payload()))
            .setSequence(e.sequence())
            .setAppendedAtNs(e.appendedAtNs())
            .putAllMetadata(e.metadata())
            .build();
    }

    /** Reads a proto uint64 as a non-negative long, saturating values above 2^63 - 1. */
    static long unsignedSaturated(long uint64) {
        return uint64 < 0 ? Long.MAX_VALUE : uint64;
    }
}
