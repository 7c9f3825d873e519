package io.converge.ledger.perf.gate;

import io.converge.ledger.perf.load.StreamRateProbe;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlantedLedgerServerMainTest {

    @Test
    void aPlantedLedgerServesAppendAndAppendStreamAndSaysWhatIsPlanted() throws Exception {
        ProcessHandle child;
        try (ForkedServer ledger = ForkedServer.start("planted ledger", PlantedLedgerServerMain.class.getName(),
            List.of("1000", "2000"), Map.of("LEDGER_MODE", "ledger"))) {
            child = ledger.handle();
            int port = ledger.awaitPort();
            ForkedServerTest.assertAppendAnswered(port);
            try (StreamRateProbe probe = StreamRateProbe.connect("127.0.0.1", port, 10, 64, 1, 1, 1, "planted")) {
                assertTrue(probe.entriesPerSecond(TimeUnit.MILLISECONDS.toNanos(100)) > 0);
            }
            assertTrue(ledger.lastOutput().contains("busy spin of 1000 ns per Append call, 2000 ns per AppendStream"),
                ledger.lastOutput());
        }
        assertFalse(child.isAlive());
    }

    @Test
    void badArgumentsExitAtStartWithTheUsage() throws Exception {
        try (ForkedServer bad = ForkedServer.start("bad planted ledger", PlantedLedgerServerMain.class.getName(),
            List.of("1000"), Map.of())) {
            String message = assertThrows(IllegalStateException.class, bad::awaitPort).getMessage();
            assertTrue(message.contains("exited with status 2") && message.contains("usage: PlantedLedgerServerMain"),
                message);
        }
    }
}
