package io.converge.ledger.transport.logging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogSettingsTest {
    @Test
    void withNothingSetTheServerLogsInfoAsText() {
        assertEquals(new LogSettings(LogLevel.INFO, LogFormat.TEXT), LogSettings.fromEnvironment(Map.of()));
        assertEquals(LogSettings.defaults(),
            LogSettings.fromEnvironment(Map.of("LEDGER_LOG_LEVEL", " ", "LEDGER_LOG_FORMAT", "")));
    }

    @Test
    void everyLevelAndFormatIsReadInAnyCase() {
        assertEquals(new LogSettings(LogLevel.ERROR, LogFormat.JSON),
            LogSettings.fromEnvironment(Map.of("LEDGER_LOG_LEVEL", "ERROR", "LEDGER_LOG_FORMAT", "Json")));
        for (LogLevel level : LogLevel.values()) {
            assertEquals(level, LogSettings.fromEnvironment(Map.of("LEDGER_LOG_LEVEL", " " + level.label())).level());
        }
        assertEquals(LogFormat.TEXT, LogSettings.fromEnvironment(Map.of("LEDGER_LOG_FORMAT", "text")).format());
    }

    @Test
    void aBadValueIsRefusedNamingTheVariableAndTheChoices() {
        IllegalArgumentException level = assertThrows(IllegalArgumentException.class,
            () -> LogSettings.fromEnvironment(Map.of("LEDGER_LOG_LEVEL", "loud")));
        assertEquals("LEDGER_LOG_LEVEL=loud is not one of error, warn, info, debug, trace", level.getMessage());
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
            () -> LogSettings.fromEnvironment(Map.of("LEDGER_LOG_FORMAT", "xml")));
        assertEquals("LEDGER_LOG_FORMAT=xml is not one of text, json", format.getMessage());
    }

    @Test
    void loggersMadeBeforeTheCheckFallBackToTheDefaults() {
        assertEquals(LogSettings.defaults(), LogSettings.fromEnvironmentOrDefaults(Map.of("LEDGER_LOG_LEVEL", "loud")));
    }
}
