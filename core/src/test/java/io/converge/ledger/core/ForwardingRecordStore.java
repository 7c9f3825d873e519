package io.converge.ledger.core;

/**
 * A {@link RecordStore} that passes every call on to another, for tests that fail or hold
 * one of them ({@link Ledger#start(LedgerConfig, RecordStore)}). Not a {@link SegmentedStore},
 * so the ledger starts no preallocation thread for it: the writer makes each segment
 * itself when it needs one.
 */
class ForwardingRecordStore implements RecordStore {
    final RecordStore delegate;

    ForwardingRecordStore(RecordStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void ensureRoom(long bytes, int largestRecord) {
        delegate.ensureRoom(bytes, largestRecord);
    }

    @Override
    public long claim(int size) {
        return delegate.claim(size);
    }

    @Override
    public void written() {
        delegate.written();
    }

    @Override
    public Segment segment(long position) {
        return delegate.segment(position);
    }

    @Override
    public void force() {
        delegate.force();
    }

    @Override
    public long bytesWritten() {
        return delegate.bytesWritten();
    }

    @Override
    public Iterable<Segment> existingSegments() {
        return delegate.existingSegments();
    }

    @Override
    public void resumeAt(long position) {
        delegate.resumeAt(position);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
