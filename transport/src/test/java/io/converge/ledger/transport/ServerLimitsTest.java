package io.converge.ledger.transport;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ServerLimits from the environment: every variable read, defaults kept, bad values named. */
class ServerLimitsTest {
    @Test
    void byDefaultGrpcListensEverywhereAndMetricsOnlyOnLoopbackWithBoundedConnectionsWatchersAndTransfers() {
        ServerLimits limits = ServerSettings.fromEnvironment(Map.of()).limits();
        assertEquals(ServerLimits.defaults(), limits);
        assertEquals("0.0.0.0", limits.bindAddress());
        assertEquals("127.0.0.1", limits.metricsBindAddress());
        assertEquals(1_000, limits.maxConnections());
        assertEquals(10_000, limits.maxWatchers());
        assertEquals(5_000, limits.shutdownGraceMillis());
        assertEquals(512L << 20, limits.transferBudgetBytes());
        assertEquals(256L << 20, limits.parseBudgetBytes());
    }

    @Test
    void everyLimitVariableIsRead() {
        ServerLimits limits = ServerSettings.fromEnvironment(Map.of(
            "LEDGER_BIND_ADDRESS", "127.0.0.1", "LEDGER_METRICS_BIND_ADDRESS", "0.0.0.0",
            "LEDGER_MAX_CONNECTIONS", "7", "LEDGER_MAX_WATCHERS", "9", "LEDGER_SHUTDOWN_GRACE_MS", "250",
            "LEDGER_HANDSHAKE_TIMEOUT_MS", "300", "LEDGER_CONNECTION_IDLE_MS", "400",
            "LEDGER_TRANSFER_BUDGET_BYTES", "1048576", "LEDGER_PARSE_BUDGET_BYTES", "2097152")).limits();
        assertEquals(new ServerLimits("127.0.0.1", "0.0.0.0", 7, 9, 250, 300, 400, 1 << 20, 2 << 20), limits);
    }

    @Test
    void aBadLimitIsRefusedNamingItsVariable() {
        for (String name : new String[] {"LEDGER_MAX_CONNECTIONS", "LEDGER_HANDSHAKE_TIMEOUT_MS",
            "LEDGER_CONNECTION_IDLE_MS", "LEDGER_TRANSFER_BUDGET_BYTES", "LEDGER_PARSE_BUDGET_BYTES"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.fromEnvironment(Map.of(name, "0")));
            assertTrue(e.getMessage().startsWith(name + "=0"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ServerSettings.fromEnvironment(Map.of("LEDGER_MAX_WATCHERS", "lots")));
        assertTrue(e.getMessage().startsWith("LEDGER_MAX_WATCHERS=lots"), e.getMessage());
    }
}
