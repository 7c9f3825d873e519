package io.converge.ledger.transport.logging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogRateLimitTest {
    private static final long WINDOW = 1_000_000_000L;

    @Test
    void aFloodOfOneLoggersRecordsIsCutAtTheLimitAndTheDropsAreReportedAfterTheWindow() {
        CapturedLog log = new CapturedLog(LogSettings.defaults(), 3, WINDOW);
        System.Logger logger = new LedgerLogger("flood", log.output);
        for (int i = 0; i < 1000; i++) {
            logger.log(System.Logger.Level.INFO, "bad request " + i);
        }
        assertEquals(3, log.lines().size(), log.text());

        log.nanos.addAndGet(WINDOW);
        logger.log(System.Logger.Level.INFO, "bad request 1000");

        List<String> lines = log.lines();
        assertEquals(5, lines.size(), log.text());
        assertTrue(lines.get(3).contains("WARN  [") && lines.get(3).contains("rate limit: 997 INFO records of this"
            + " logger were not written (at most 3 per 1000 ms)"), lines.get(3));
        assertTrue(lines.get(4).endsWith("flood: bad request 1000"), lines.get(4));
    }

    @Test
    void eachLoggerAndLevelHasItsOwnLimitSoAFloodHidesNoFault() {
        CapturedLog log = new CapturedLog(LogSettings.defaults(), 2, WINDOW);
        System.Logger flood = new LedgerLogger("flood", log.output);
        System.Logger other = new LedgerLogger("other", log.output);
        for (int i = 0; i < 100; i++) {
            flood.log(System.Logger.Level.INFO, "refused");
        }
        flood.log(System.Logger.Level.ERROR, "fault");
        other.log(System.Logger.Level.INFO, "other");

        assertEquals(4, log.lines().size(), log.text());
        assertTrue(log.text().contains("flood: fault") && log.text().contains("other: other"), log.text());
    }

    @Test
    void debugAndTraceAreNotLimited() {
        CapturedLog log = new CapturedLog(new LogSettings(LogLevel.TRACE, LogFormat.TEXT), 2, WINDOW);
        System.Logger logger = new LedgerLogger("chatty", log.output);
        for (int i = 0; i < 50; i++) {
            logger.log(System.Logger.Level.DEBUG, "d");
            logger.log(System.Logger.Level.TRACE, "t");
        }
        assertEquals(100, log.lines().size());
    }
}
