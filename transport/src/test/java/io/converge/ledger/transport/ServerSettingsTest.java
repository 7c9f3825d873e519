package io.converge.ledger.transport;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ServerSettings from the environment: LEDGER_METRICS_PORT (GRPC_PORT is in ListeningPortContractTest). */
class ServerSettingsTest {
    @Test
    void metricsAreOffWhenLedgerMetricsPortIsUnsetOrEmpty() {
        assertEquals(ServerSettings.METRICS_OFF, ServerSettings.defaults().metricsPort());
        assertFalse(ServerSettings.fromEnvironment(Map.of()).metricsOn());
        assertFalse(ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", "")).metricsOn());
        assertFalse(ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", "  ")).metricsOn());
    }

    @Test
    void ledgerMetricsPortChoosesThePortAndZeroLetsTheSystemChoose() {
        assertEquals(9464, ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", "9464")).metricsPort());
        assertEquals(65535, ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", "65535")).metricsPort());
        ServerSettings ephemeral = ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", "0"));
        assertEquals(0, ephemeral.metricsPort());
        assertTrue(ephemeral.metricsOn());
    }

    @Test
    void aBadLedgerMetricsPortIsRefusedWithAMessageNamingTheVariable() {
        for (String bad : new String[] {"metrics", "-1", "65536", "9464x", "1.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", bad)), bad);
            assertTrue(e.getMessage().contains("LEDGER_METRICS_PORT=" + bad), e.getMessage());
        }
    }

    @Test
    void theMetricsPortCannotBeTheGrpcPort() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ServerSettings.fromEnvironment(Map.of("LEDGER_METRICS_PORT", "50051")));
        assertTrue(e.getMessage().contains("LEDGER_METRICS_PORT=50051"), e.getMessage());
        assertEquals(0, ServerSettings.fromEnvironment(Map.of("GRPC_PORT", "0", "LEDGER_METRICS_PORT", "0"))
            .metricsPort(), "two ephemeral ports are two ports");
    }

    @Test
    void byDefaultTheServerBindsNoMetricsPort() throws IOException {
        try (LedgerFixture fixture = LedgerFixture.start(Transport.IN_PROCESS)) {
            assertEquals(-1, fixture.server.metricsPort());
        }
    }
}
