package io.converge.ledger.transport.logging;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineFormatterTest {
    private static final Instant TIME = Instant.parse("2026-11-30T09:03:43.123Z");
    private final JsonLineFormatter json = new JsonLineFormatter();

    @Test
    void aRecordIsOneJsonObjectOnOneLineWithTheFieldsInOrder() {
        assertEquals("{\"time\":\"2026-11-30T09:03:43.123Z\",\"level\":\"INFO\",\"logger\":\"converge-ledger\","
                + "\"thread\":\"main\",\"message\":\"listening on port 50051\"}\n",
            json.format(TIME, LogLevel.INFO, "converge-ledger", "main", "listening on port 50051", null));
    }

    @Test
    void quotesBackslashesLineBreaksAndControlCharactersAreEscaped() {
        String message = "say \"hi\" \\ path\nsecond line\r\ttab \u0001\u001f\u007f\b\f end \u2028 é";
        String line = json.format(TIME, LogLevel.WARN, "a\"logger", "thread\n1", message, null);

        assertTrue(line.endsWith("}\n"), line);
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), "one line: " + line);
        assertFalse(line.chars().limit(line.length() - 1).anyMatch(c -> c < 0x20), "no raw control character");
        assertTrue(line.contains("\\\"hi\\\" \\\\ path\\nsecond line\\r\\ttab \\u0001\\u001f\\u007f\\b\\f end \\u2028"),
            line);
        Map<String, Object> parsed = MiniJson.parseObject(line);
        assertEquals(message, parsed.get("message"), "the message reads back exactly");
        assertEquals("a\"logger", parsed.get("logger"));
        assertEquals("thread\n1", parsed.get("thread"));
        assertEquals("WARN", parsed.get("level"));
    }

    @Test
    void anExceptionIsIncludedWithItsStackTraceAndCause() {
        IllegalStateException thrown = new IllegalStateException("outer \"bad\"", new java.io.IOException("disk gone"));
        String line = json.format(TIME, LogLevel.ERROR, "x", "t", "failed", thrown);

        assertEquals(1, line.chars().filter(c -> c == '\n').count(), "still one line: " + line);
        Map<String, Object> parsed = MiniJson.parseObject(line);
        String exception = (String) parsed.get("exception");
        assertTrue(exception.startsWith("java.lang.IllegalStateException: outer \"bad\"\n"), exception);
        assertTrue(exception.contains("\tat io.converge.ledger.transport.logging.JsonLineFormatterTest"), exception);
        assertTrue(exception.contains("Caused by: java.io.IOException: disk gone"), exception);
    }

    @Test
    void withoutAnExceptionThereIsNoExceptionField() {
        assertFalse(MiniJson.parseObject(json.format(TIME, LogLevel.INFO, "x", "t", "m", null))
            .containsKey("exception"));
    }
}
