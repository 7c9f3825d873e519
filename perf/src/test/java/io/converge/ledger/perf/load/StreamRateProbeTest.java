package io.converge.ledger.perf.load;

import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.ServerSettings;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate's AppendStream probe: the stream driver's runs, repeatable over one set of connections; failures throw. */
@Timeout(30)
class StreamRateProbeTest {
    private static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    @Test
    void everyEntryOfEveryRunIsStoredAndTheRunsCanBeRepeated() throws Exception {
        try (LedgerOnLoopback ledger = new LedgerOnLoopback();
             StreamRateProbe probe = StreamRateProbe.connect(HOST, ledger.server.port(), 10, 64, 3, 2, 2, "probe")) {
            assertTrue(probe.entriesPerSecond(RUN_NANOS) > 0);
            long afterFirst = ledger.server.ledger().view("load-probe-0").latestSequence();
            assertTrue(probe.entriesPerSecond(RUN_NANOS) > 0);
            long afterSecond = ledger.server.ledger().view("load-probe-0").latestSequence();
            assertTrue(afterFirst > 0 && afterSecond > afterFirst, afterFirst + " then " + afterSecond);
            assertEquals(0, afterSecond % 10, "whole batches of 10 only: " + afterSecond);
        }
    }

    @Test
    void aRunWhoseBatchesAreRefusedThrowsWithTheStatus() throws Exception {
        ServerSettings full = ServerSettings.defaults().withPort(0)
            .withLedger(ServerSettings.defaults().ledger().withMemoryBudgetBytes(0));
        try (LedgerServer ledger = LedgerServer.start(NettyServerBuilder.forAddress(new InetSocketAddress(
                 InetAddress.getLoopbackAddress(), 0)), full);
             StreamRateProbe probe = StreamRateProbe.connect(HOST, ledger.port(), 10, 64, 2, 2, 1, "refused")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> probe.entriesPerSecond(RUN_NANOS));
            assertTrue(e.getMessage().contains("RESOURCE_EXHAUSTED"), e.getMessage());
        }
    }

    @Test
    void optionsTheLoadGeneratorWouldRefuseAreAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> StreamRateProbe.connect(HOST, 1, 0, 64, 2, 2, 1, "bad"));
        assertTrue(e.getMessage().contains("--batch"), e.getMessage());
    }
}
