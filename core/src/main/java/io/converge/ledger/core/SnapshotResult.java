package io.converge.ledger.core;

/**
 * A snapshot taken by {@link Ledger#snapshot}.
 *
 * @param blob        the encoded blob (see {@link SnapshotCodec})
 * @param sequence    the context's latest sequence captured in the blob
 * @param entryCount  number of entries in the blob
 * @param version     the blob's format version
 * @param createdAtNs when it was taken, Unix epoch in nanoseconds
 */
public record SnapshotResult(byte[] blob, long sequence, long entryCount, int version, long createdAtNs) {
}
