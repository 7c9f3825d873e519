package io.converge.ledger.transport;

import org.junit.jupiter.api.Test;

import io.converge.ledger.core.StorageConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ServerSettings from the environment: LEDGER_METRICS_PORT and the storage variables (GRPC_PORT
 * is in ListeningPortContractTest).
 */
class ServerSettingsTest {
    @Test
    void byDefaultTheServerKeepsRecordsInFilesUnderLedgerDataForcedEverySecondAndRecoversStrictly() {
        StorageConfig storage = ServerSettings.fromEnvironment(Map.of()).ledger().storage();
        assertEquals(StorageConfig.Mode.FILES, storage.mode());
        assertEquals(Path.of("ledger-data"), storage.dataDirectory());
        assertEquals(StorageConfig.Fsync.INTERVAL, storage.fsync());
        assertEquals(TimeUnit.SECONDS.toNanos(1), storage.fsyncIntervalNanos());
        assertEquals(StorageConfig.Recovery.STRICT, storage.recovery());
        assertEquals(0, storage.diskBudgetBytes(), "no disk budget");
        assertEquals(64 << 20, storage.segmentBytes());
    }

    @Test
    void theLoadClockSkewIsAMinuteByDefaultAndReadFromItsVariable() {
        assertEquals(java.util.concurrent.TimeUnit.MINUTES.toNanos(1),
            ServerSettings.fromEnvironment(Map.of()).ledger().loadMaxClockSkewNanos());
        assertEquals(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250),
            ServerSettings.fromEnvironment(Map.of("LEDGER_LOAD_MAX_CLOCK_SKEW_MS", "250")).ledger()
                .loadMaxClockSkewNanos());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> ServerSettings.fromEnvironment(Map.of("LEDGER_LOAD_MAX_CLOCK_SKEW_MS", "-1")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("LEDGER_LOAD_MAX_CLOCK_SKEW_MS"));
    }

    @Test
    void everyStorageVariableIsRead() {
        StorageConfig storage = ServerSettings.fromEnvironment(Map.of(
            "LEDGER_DATA_DIR", "/var/lib/ledger", "LEDGER_FSYNC", "always", "LEDGER_FSYNC_INTERVAL_MS", "250",
            "LEDGER_DISK_BUDGET_BYTES", "1000000000", "LEDGER_RECOVERY", "truncate",
            "LEDGER_SEGMENT_BYTES", "16777216")).ledger().storage();
        assertEquals(Path.of("/var/lib/ledger"), storage.dataDirectory());
        assertEquals(StorageConfig.Fsync.ALWAYS, storage.fsync());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), storage.fsyncIntervalNanos());
        assertEquals(1_000_000_000L, storage.diskBudgetBytes());
        assertEquals(StorageConfig.Recovery.TRUNCATE, storage.recovery());
        assertEquals(16 << 20, storage.segmentBytes());
        assertEquals(StorageConfig.Mode.MEMORY,
            ServerSettings.fromEnvironment(Map.of("LEDGER_STORAGE", "memory")).ledger().storage().mode());
    }

    @Test
    void aBadStorageVariableIsRefusedWithAMessageNamingIt() {
        Map<String, String> bad = Map.of("LEDGER_STORAGE", "disk", "LEDGER_FSYNC", "sometimes",
            "LEDGER_FSYNC_INTERVAL_MS", "0", "LEDGER_RECOVERY", "repair", "LEDGER_SEGMENT_BYTES", "4096",
            "LEDGER_DISK_BUDGET_BYTES", "-1");
        for (Map.Entry<String, String> variable : bad.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.fromEnvironment(Map.of(variable.getKey(), variable.getValue())), variable.toString());
            assertTrue(e.getMessage().contains(variable.getKey() + "=" + variable.getValue()), e.getMessage());
        }
    }

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
