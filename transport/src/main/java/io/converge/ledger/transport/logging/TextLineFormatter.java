package io.converge.ledger.transport.logging;

import java.time.Instant;

/**
 * The human format: {@code 2026-11-30T09:03:43.123Z INFO  [main] converge-ledger: listening on port 50051}.
 * The message stays on its line: line breaks and other control characters in it are written
 * as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}, so no input can forge a line. An exception's
 * stack trace follows on its own lines, each indented by a tab as Java prints them.
 * Stateless and thread-safe.
 */
final class TextLineFormatter implements LogLineFormatter {
    @Override
    public String format(Instant time, LogLevel level, String logger, String thread, String message, Throwable thrown) {
        StringBuilder out = new StringBuilder(96 + message.length());
        out.append(time).append(' ').append(level.name());
        for (int pad = level.name().length(); pad < 5; pad++) {
            out.append(' ');
        }
        out.append(" [").append(thread).append("] ").append(logger).append(": ");
        oneLine(out, message);
        out.append('\n');
        if (thrown != null) {
            for (String line : LogLineFormatter.stackTrace(thrown).split("\\R")) {
                out.append('\t').append(line.startsWith("\t") ? line.substring(1) : line).append('\n');
            }
        }
        return out.toString();
    }

    private static void oneLine(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
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
