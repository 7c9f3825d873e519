package io.converge.ledger.transport.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/** Turns one log record into its text, ending in a line feed. Implementations are stateless and thread-safe. */
interface LogLineFormatter {
    /**
     * @param time    when the record was made
     * @param level   its level
     * @param logger  the logger's name
     * @param thread  the name of the thread that logged it
     * @param message the message, already formatted (may hold any character, including line breaks)
     * @param thrown  the exception logged with it, or null
     */
    String format(Instant time, LogLevel level, String logger, String thread, String message, Throwable thrown);

    /** {@code thrown}'s stack trace as {@link Throwable#printStackTrace()} writes it, causes included. */
    static String stackTrace(Throwable thrown) {
        StringWriter out = new StringWriter();
        try (PrintWriter writer = new PrintWriter(out)) {
            thrown.printStackTrace(writer);
        }
        return out.toString();
    }
}
