package io.converge.ledger.perf.dashboard;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PromTextTest {
    @Test
    void samplesAreReadWithTheirLabelsUnescapedAndCommentsSkipped() {
        List<PromSample> samples = PromText.parse("""
            # HELP ledger_ring_remaining free slots
            # TYPE ledger_ring_remaining gauge
            ledger_ring_remaining 65536.0

            ledger_grpc_calls_total{method="a/b",status="OK",} 3.0
            weird{v="q\\"uote \\\\ back\\nline"} +Inf 1700000000000
            """);
        assertEquals(List.of(
            new PromSample("ledger_ring_remaining", Map.of(), 65536),
            new PromSample("ledger_grpc_calls_total", Map.of("method", "a/b", "status", "OK"), 3),
            new PromSample("weird", Map.of("v", "q\"uote \\ back\nline"), Double.POSITIVE_INFINITY)), samples);
    }

    @Test
    void aLineThatIsNoSampleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PromText.parse("ledger_x not-a-number"));
    }
}
