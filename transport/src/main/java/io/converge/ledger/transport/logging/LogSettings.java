package io.converge.ledger.transport.logging;

import java.util.Map;

/**
 * How the server logs. Immutable.
 *
 * @param level  the least severe level written ({@code LEDGER_LOG_LEVEL}: error, warn, info, debug, trace;
 *               default info)
 * @param format how records are written ({@code LEDGER_LOG_FORMAT}: text, the default, or json)
 */
public record LogSettings(LogLevel level, LogFormat format) {
    public static final String LEVEL_VARIABLE = "LEDGER_LOG_LEVEL";
    public static final String FORMAT_VARIABLE = "LEDGER_LOG_FORMAT";

    public LogSettings {
        if (level == null || format == null) {
            throw new IllegalArgumentException("level and format must not be null");
        }
    }

    public static LogSettings defaults() {
        return new LogSettings(LogLevel.INFO, LogFormat.TEXT);
    }

    /**
     * Reads {@code LEDGER_LOG_LEVEL} and {@code LEDGER_LOG_FORMAT}; an unset or empty one keeps its default.
     *
     * @throws IllegalArgumentException naming the variable that holds a bad value
     */
    public static LogSettings fromEnvironment(Map<String, String> env) {
        LogLevel level = LogLevel.INFO;
        String levelName = env.get(LEVEL_VARIABLE);
        if (levelName != null && !levelName.isBlank()) {
            try {
                level = LogLevel.parse(levelName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(LEVEL_VARIABLE + "=" + e.getMessage());
            }
        }
        LogFormat format = LogFormat.TEXT;
        String formatName = env.get(FORMAT_VARIABLE);
        if (formatName != null && !formatName.isBlank()) {
            try {
                format = LogFormat.parse(formatName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(FORMAT_VARIABLE + "=" + e.getMessage());
            }
        }
        return new LogSettings(level, format);
    }

    /**
     * As {@link #fromEnvironment}, but a bad value gives the default instead of failing: for
     * loggers made before the server main has checked the environment (which then exits).
     */
    static LogSettings fromEnvironmentOrDefaults(Map<String, String> env) {
        try {
            return fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            return defaults();
        }
    }
}
