package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * One append-only segment of the record log: a fixed-size buffer, off the Java heap
 * (a mapped file, or direct memory), holding records back to back from offset 0.
 *
 * <p>{@link #records()} is shared by the writer and every reader and is accessed by
 * absolute index only; {@link #writerView()} is the writer's own, whose position and
 * limit it moves. A segment is never unmapped while its store is open, and a record in it
 * never changes once written.
 */
final class Segment {
    private final int index;
    private final ByteBuffer records;
    private final ByteBuffer writerView;
    private final String name;

    Segment(int index, ByteBuffer buffer, String name) {
        this.index = index;
        this.records = buffer.order(EntryRecord.ORDER);
        this.writerView = buffer.duplicate().order(EntryRecord.ORDER);
        this.name = name;
    }

    /** Its place in the log, from 0. */
    int index() {
        return index;
    }

    int capacity() {
        return records.capacity();
    }

    ByteBuffer records() {
        return records;
    }

    ByteBuffer writerView() {
        return writerView;
    }

    /** The file it maps, or a name for an in-memory segment: for messages. */
    String name() {
        return name;
    }

    /** Writes bytes {@code [from, to)} through to the file; nothing for memory. */
    void force(int from, int to) {
        if (records instanceof MappedByteBuffer mapped && to > from) {
            mapped.force(from, to - from);
        }
    }
}
