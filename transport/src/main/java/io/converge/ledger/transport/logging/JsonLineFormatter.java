package io.converge.ledger.transport.logging;

import java.time.Instant;

/**
 * One JSON object per record, on one line:
 * {@code {"time":"2026-11-30T09:03:43.123Z","level":"INFO","logger":"...","thread":"...","message":"..."}},
 * with {@code "exception"} (the stack trace as text) when the record has one. Strings are
 * escaped as RFC 8259 requires: quote, backslash and every control character, so a line
 * break in a message never breaks the line. Stateless and thread-safe.
 */
final class JsonLineFormatter implements LogLineFormatter {
    @Override
    public String format(Instant time, LogLevel level, String logger, String thread, String message, Throwable thrown) {
        StringBuilder out = new StringBuilder(160 + message.length());
        out.append("{\"time\":\"").append(time).append("\",\"level\":\"").append(level.name()).append('"');
        field(out, "logger", logger);
        field(out, "thread", thread);
        field(out, "message", message);
        if (thrown != null) {
            field(out, "exception", LogLineFormatter.stackTrace(thrown));
        }
        return out.append("}\n").toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":\"");
        escape(out, value == null ? "" : value);
        out.append('"');
    }

    /** Appends {@code s} escaped for a JSON string literal (without the quotes). */
    static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
