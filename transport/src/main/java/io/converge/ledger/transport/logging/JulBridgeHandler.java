package io.converge.ledger.transport.logging;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * A {@code java.util.logging} handler that writes to a {@link LogOutput}, so what grpc-java
 * and Netty log (through JUL) comes out in the same format and under the same level as the
 * ledger's own records. Records are written on the thread that logs them.
 */
final class JulBridgeHandler extends Handler {
    /** Only for {@link Formatter#formatMessage}: parameters and resource bundles as JUL applies them. */
    private static final Formatter MESSAGES = new Formatter() {
        @Override
        public String format(LogRecord record) {
            return formatMessage(record);
        }
    };

    private final LogOutput output;

    JulBridgeHandler(LogOutput output) {
        this.output = output;
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        LogLevel level = LogLevel.of(record.getLevel());
        if (output.isEnabled(level)) {
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            output.write(level, logger, MESSAGES.formatMessage(record), record.getThrown());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
