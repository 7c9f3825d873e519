package io.converge.ledger.core;

/**
 * One batch of appends on its way through the ring, and then its acknowledgement: what
 * each entry got, by the entry's index in the batch. Created by the publishing thread;
 * while in the ring its outcome is written by the sequencer only; the completion thread
 * hands it to the {@link BatchAppendCallback}, after which it never changes and any
 * thread may read it.
 */
public final class AppendedBatch {
    final int size;
    /** The records of all entries, in bytes, and the largest one (computed by the publisher). */
    final long recordBytes;
    final int largestRecord;
    final BatchStream stream;
    final BatchAppendCallback callback;
    private final long[] sequences;
    private final long[] idLos;
    private final long[] appendedAtNs;
    long idHi;
    /** Written by the sequencer at the batch's first slot; null when the batch is stored. */
    LedgerException rejection;

    AppendedBatch(int size, long recordBytes, int largestRecord, BatchStream stream, BatchAppendCallback callback) {
        this.size = size;
        this.recordBytes = recordBytes;
        this.largestRecord = largestRecord;
        this.stream = stream;
        this.callback = callback;
        this.sequences = new long[size];
        this.idLos = new long[size];
        this.appendedAtNs = new long[size];
    }

    /** Sequencer only: records what entry {@code index} got. */
    void ack(int index, long sequence, long idLo, long appendedAt) {
        sequences[index] = sequence;
        idLos[index] = idLo;
        appendedAtNs[index] = appendedAt;
    }

    /** The index of the batch's last ring slot (an empty batch takes one slot). */
    int lastSlot() {
        return Math.max(0, size - 1);
    }

    /** Number of entries, and of acks. */
    public int size() {
        return size;
    }

    /** The sequence entry {@code index} got in its context. */
    public long sequence(int index) {
        return sequences[index];
    }

    /** The high 64 bits of entry {@code index}'s id (see {@link EntryIds#format}). */
    public long idHi(int index) {
        return idHi;
    }

    /** The low 64 bits of entry {@code index}'s id. */
    public long idLo(int index) {
        return idLos[index];
    }

    /** Entry {@code index}'s append time, Unix epoch in nanoseconds. */
    public long appendedAtNs(int index) {
        return appendedAtNs[index];
    }
}
