package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RingBaselineTest {
    private static final byte[] PAYLOAD = new byte[64];

    @Test
    void itTakesAppendsAndDrainsThemOnCloseWithoutCallingBack() {
        AtomicInteger calls = new AtomicInteger();
        AppendCallback counting = new AppendCallback() {
            @Override
            public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
                calls.incrementAndGet();
            }

            @Override
            public void onRejected(LedgerException reason) {
                calls.incrementAndGet();
            }
        };
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
