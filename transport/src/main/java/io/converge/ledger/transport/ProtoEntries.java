package io.converge.ledger.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.Entry;

import java.util.Map;

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

    /**
     * The request's metadata for the ledger to keep: the shared empty map when there is none.
     * Protobuf hands out a fresh view for an empty map field on every call, and the ledger
     * keeps what it gets for the life of the entry, so this saves the heap, and the garbage
     * collector, a few objects per stored entry.
     */
    static Map<String, String> metadataOf(AppendRequest request) {
        return request.getMetadataCount() == 0 ? Map.of() : request.getMetadataMap();
    }
}
