package io.converge.ledger.transport.logging;

import java.util.Locale;

/** How a log record is written ({@code LEDGER_LOG_FORMAT}). */
public enum LogFormat {
    /** One human-readable line per record (the default): {@link TextLineFormatter}. */
    TEXT(new TextLineFormatter()),
    /** One JSON object per line: {@link JsonLineFormatter}. */
    JSON(new JsonLineFormatter());

    private final LogLineFormatter formatter;

    LogFormat(LogLineFormatter formatter) {
        this.formatter = formatter;
    }

    /**
     * The format named {@code name} ({@code text} or {@code json}, in any case).
     *
     * @throws IllegalArgumentException when it names neither
     */
    public static LogFormat parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException(name + " is not one of text, json");
        };
    }

    LogLineFormatter formatter() {
        return formatter;
    }

    /** The lower-case name, as {@code LEDGER_LOG_FORMAT} takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
