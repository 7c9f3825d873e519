package io.converge.ledger.transport.logging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LedgerLoggerTest {
    @Test
    void aLoggerWritesItsLevelAndMoreSevereOnesOnly() {
        CapturedLog log = new CapturedLog(new LogSettings(LogLevel.WARN, LogFormat.TEXT));
        System.Logger logger = new LedgerLogger("test", log.output);

        logger.log(System.Logger.Level.TRACE, "trace");
        logger.log(System.Logger.Level.DEBUG, "debug");
        logger.log(System.Logger.Level.INFO, "info");
        logger.log(System.Logger.Level.WARNING, "warn");
        logger.log(System.Logger.Level.ERROR, "error");
        logger.log(System.Logger.Level.OFF, "off");

        assertEquals(List.of(
            "2026-11-30T09:03:43.123Z WARN  [" + Thread.currentThread().getName() + "] test: warn",
            "2026-11-30T09:03:43.123Z ERROR [" + Thread.currentThread().getName() + "] test: error"), log.lines());
        assertFalse(logger.isLoggable(System.Logger.Level.INFO));
        assertTrue(logger.isLoggable(System.Logger.Level.WARNING));
        assertFalse(logger.isLoggable(System.Logger.Level.OFF), "OFF is never written");
    }

    @Test
    void atTraceEveryLevelIsWritten() {
        CapturedLog log = new CapturedLog(new LogSettings(LogLevel.TRACE, LogFormat.TEXT));
        System.Logger logger = new LedgerLogger("test", log.output);
        for (System.Logger.Level level : System.Logger.Level.values()) {
            logger.log(level, level.getName());
        }
        assertEquals(6, log.lines().size(), "ALL, TRACE, DEBUG, INFO, WARNING, ERROR: " + log.text());
    }

    @Test
    void changingTheSettingsChangesWhatEveryLoggerWrites() {
        CapturedLog log = new CapturedLog(LogSettings.defaults());
        System.Logger logger = new LedgerLogger("test", log.output);
        logger.log(System.Logger.Level.DEBUG, "hidden");
        log.output.configure(new LogSettings(LogLevel.DEBUG, LogFormat.JSON));
        logger.log(System.Logger.Level.DEBUG, "shown");

        assertEquals(1, log.lines().size(), log.text());
        assertEquals("shown", MiniJson.parseObject(log.lines().get(0)).get("message"));
        assertEquals("DEBUG", MiniJson.parseObject(log.lines().get(0)).get("level"));
    }

    @Test
    void parametersAreFormattedAndAnExceptionIsKept() {
        CapturedLog log = new CapturedLog(new LogSettings(LogLevel.INFO, LogFormat.JSON));
        System.Logger logger = new LedgerLogger("test", log.output);
        logger.log(System.Logger.Level.INFO, "{0} of {1}", "one", 2);
        logger.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("boom"));

        assertEquals("one of 2", MiniJson.parseObject(log.lines().get(0)).get("message"));
        assertTrue(((String) MiniJson.parseObject(log.lines().get(1)).get("exception"))
            .startsWith("java.lang.IllegalStateException: boom"), log.text());
    }

    @Test
    void theFinderGivesOneLoggerPerName() {
        LedgerLoggerFinder finder = new LedgerLoggerFinder();
        assertTrue(finder.getLogger("a", getClass().getModule()) == finder.getLogger("a", getClass().getModule()));
        assertEquals("a", finder.getLogger("a", getClass().getModule()).getName());
    }

    @Test
    void theProcessUsesTheLedgersLoggerFinder() {
        assertEquals(LedgerLoggerFinder.class, System.LoggerFinder.getLoggerFinder().getClass(),
            "registered in META-INF/services");
    }
}
