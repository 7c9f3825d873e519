package io.converge.ledger.transport.logging;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextLineFormatterTest {
    private static final Instant TIME = Instant.parse("2026-11-30T09:03:43.123Z");
    private final TextLineFormatter text = new TextLineFormatter();

    @Test
    void aRecordIsOneLineWithTimeLevelThreadLoggerAndMessage() {
        assertEquals("2026-11-30T09:03:43.123Z INFO  [main] converge-ledger: listening on port 50051\n",
            text.format(TIME, LogLevel.INFO, "converge-ledger", "main", "listening on port 50051", null));
        assertEquals("2026-11-30T09:03:43.123Z ERROR [t] x: m\n", text.format(TIME, LogLevel.ERROR, "x", "t", "m", null));
    }

    @Test
    void lineBreaksInAMessageCannotForgeALine() {
        String line = text.format(TIME, LogLevel.INFO, "x", "t", "bad id\n2026-11-30T00:00:00Z ERROR [main] fake\u0007",
            null);
        assertEquals("2026-11-30T09:03:43.123Z INFO  [t] x: bad id\\n2026-11-30T00:00:00Z ERROR [main] fake\\u0007\n",
            line);
    }

    @Test
    void anExceptionFollowsOnTabIndentedLines() {
        String out = text.format(TIME, LogLevel.ERROR, "x", "t", "failed", new IllegalStateException("boom"));
        String[] lines = out.split("\n");
        assertEquals("2026-11-30T09:03:43.123Z ERROR [t] x: failed", lines[0]);
        assertEquals("\tjava.lang.IllegalStateException: boom", lines[1]);
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].startsWith("\t"), "line " + i + " is indented: " + out);
        }
    }
}
