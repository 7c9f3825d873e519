package io.converge.ledger.transport.logging;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * A {@link System.Logger} that writes to a {@link LogOutput}. Thread-safe. Messages with
 * parameters are formatted with {@link MessageFormat}, as the platform's loggers do; a
 * resource bundle, when given, maps the message key to its text.
 */
final class LedgerLogger implements System.Logger {
    private final String name;
    private final LogOutput output;

    LedgerLogger(String name, LogOutput output) {
        this.name = name;
        this.output = output;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return output.isEnabled(LogLevel.of(level));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        LogLevel l = LogLevel.of(level);
        if (output.isEnabled(l)) {
            output.write(l, name, localized(bundle, msg), thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        LogLevel l = LogLevel.of(level);
        if (output.isEnabled(l)) {
            String pattern = localized(bundle, format);
            String message = params == null || params.length == 0 || pattern == null
                ? pattern : new MessageFormat(pattern).format(params);
            output.write(l, name, message, null);
        }
    }

    private static String localized(ResourceBundle bundle, String key) {
        if (bundle == null || key == null) {
            return key;
        }
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
    }
}
