package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RingBaselineTest {
    private static final byte[] PAYLOAD = new byte[64];

    /** Calls of {@link #counting}, which the baseline must never make. */
    private final AtomicInteger calls = new AtomicInteger();
    private final AppendCallback counting = new AppendCallback() {
        @Override
        public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
            calls.incrementAndGet();
        }

        @Override
        public void onRejected(LedgerException reason) {
            calls.incrementAndGet();
        }
    };

    @Test
    void itTakesAppendsAndDrainsThemOnCloseWithoutCallingBack() {
        LedgerConfig config = LedgerConfig.defaults().withRingSize(1024);
        RingBaseline ring = RingBaseline.start(config);
        for (int i = 0; i < 10_000; i++) {
            ring.append("ctx", "", PAYLOAD, Map.of(), counting);
        }
        ring.close();
        assertEquals(config.ringSize(), ring.ringRemainingCapacity());
        assertEquals(0, calls.get());
    }

    @Test
    void theRecordWritingHandlerWritesEveryAppendRoundAndRoundItsBufferAndCallsNoCallback() {
        // More records than the buffer holds, so that it wraps.
        int appends = RingBaseline.RECORD_BUFFER_BYTES / EntryRecord.size(3, 3, 0, PAYLOAD.length) + 1_000;
        RingBaseline ring = RingBaseline.startWritingRecords(LedgerConfig.defaults().withRingSize(1024));
        for (int i = 0; i < appends; i++) {
            ring.append("ctx", "key", PAYLOAD, Map.of(), counting);
        }
        ring.close();
        assertEquals(appends, ring.recordsWritten());
        assertEquals(0, calls.get());
        RingBaseline clearing = RingBaseline.start(LedgerConfig.defaults());
        clearing.append("ctx", "key", PAYLOAD, Map.of(), counting);
        clearing.close();
        assertEquals(0, clearing.recordsWritten(), "the clearing handler writes nothing");
    }

    @Test
    void itRefusesWhatTheLedgerRefuses() {
        RingBaseline ring = RingBaseline.start(LedgerConfig.defaults());
        try {
            LedgerException bad = assertThrows(LedgerException.class,
                () -> ring.append("", "", PAYLOAD, Map.of(), null));
            assertEquals(LedgerException.Reason.INVALID_ARGUMENT, bad.reason());
            ring.close();
            LedgerException closed = assertThrows(LedgerException.class,
                () -> ring.append("ctx", "", PAYLOAD, Map.of(), null));
            assertEquals(LedgerException.Reason.UNAVAILABLE, closed.reason());
        } finally {
            ring.close();
        }
    }
}
