package io.converge.ledger.transport.logging;

import java.util.Locale;

/**
 * The server's log levels, most severe first ({@code LEDGER_LOG_LEVEL}). A logger set to a
 * level writes records of that level and every more severe one.
 */
public enum LogLevel {
    ERROR(java.util.logging.Level.SEVERE),
    WARN(java.util.logging.Level.WARNING),
    INFO(java.util.logging.Level.INFO),
    DEBUG(java.util.logging.Level.FINE),
    TRACE(java.util.logging.Level.FINEST);

    private final java.util.logging.Level jul;

    LogLevel(java.util.logging.Level jul) {
        this.jul = jul;
    }

    /**
     * The level named {@code name}, in any case, with surrounding blanks ignored.
     *
     * @throws IllegalArgumentException when it names none
     */
    public static LogLevel parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "error" -> ERROR;
            case "warn" -> WARN;
            case "info" -> INFO;
            case "debug" -> DEBUG;
            case "trace" -> TRACE;
            default -> throw new IllegalArgumentException(name + " is not one of error, warn, info, debug, trace");
        };
    }

    /** The level of a {@link System.Logger} record; null for {@code OFF}, which is never written. */
    static LogLevel of(System.Logger.Level level) {
        return switch (level) {
            case ERROR -> ERROR;
            case WARNING -> WARN;
            case INFO -> INFO;
            case DEBUG -> DEBUG;
            case TRACE, ALL -> TRACE;
            case OFF -> null;
        };
    }

    /** The level of a {@code java.util.logging} record (grpc-java and Netty log through it). */
    static LogLevel of(java.util.logging.Level level) {
        int v = level.intValue();
        if (v >= java.util.logging.Level.SEVERE.intValue()) {
            return ERROR;
        } else if (v >= java.util.logging.Level.WARNING.intValue()) {
            return WARN;
        } else if (v >= java.util.logging.Level.INFO.intValue()) {
            return INFO;
        } else if (v >= java.util.logging.Level.FINE.intValue()) {
            return DEBUG;
        }
        return TRACE;
    }

    /** The {@code java.util.logging} level that lets exactly the records of this level and above through. */
    java.util.logging.Level julLevel() {
        return jul;
    }

    /** Whether a logger set to this level writes a record of {@code record}'s level. */
    public boolean permits(LogLevel record) {
        return record.ordinal() <= ordinal();
    }

    /** The lower-case name, as {@code LEDGER_LOG_LEVEL} takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
