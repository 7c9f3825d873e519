package io.converge.ledger.transport.logging;

import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * The server's one logging setup. {@link System.Logger}s already write to
 * {@link LogOutput#global()} through {@link LedgerLoggerFinder}; {@link #configure} sets its
 * level and format and routes {@code java.util.logging} (grpc-java, Netty) there too,
 * replacing JUL's default console handler.
 */
public final class ServerLogging {
    private ServerLogging() {
    }

    /**
     * Applies {@code settings} to every logger of the process. Call once at start, before
     * the server logs; calling it again applies the new settings.
     */
    public static void configure(LogSettings settings) {
        LogOutput.global().configure(settings);
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        JulBridgeHandler bridge = new JulBridgeHandler(LogOutput.global());
        bridge.setLevel(java.util.logging.Level.ALL);
        root.addHandler(bridge);
        root.setLevel(settings.level().julLevel());
    }
}
