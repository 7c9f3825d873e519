package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Segments in direct memory, for {@code LEDGER_STORAGE=memory}: the same records as on
 * disk, off the Java heap, gone when the process ends. {@code allocateDirect} zeroes (and
 * so touches) every page. Bounded by the JVM's direct-memory limit: running out refuses
 * appends, it does not fail the process.
 */
final class OffHeapSegments implements SegmentSource {
    private final int segmentBytes;

    OffHeapSegments(int segmentBytes) {
        this.segmentBytes = segmentBytes;
    }

    @Override
    public List<Segment> existing() {
        return List.of();
    }

    @Override
    public Segment create(int index) {
        try {
            return new Segment(index, ByteBuffer.allocateDirect(segmentBytes), "memory segment " + index);
        } catch (OutOfMemoryError e) {
            throw LedgerException.exhausted("off-heap memory for the ledger's records ran out: a new segment of "
                + segmentBytes + " bytes could not be allocated (" + e.getMessage() + ")");
        }
    }

    @Override
    public void close() {
        // Direct buffers are freed when collected: a reader may still hold a view.
    }
}
