package io.converge.ledger.transport.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The process's {@link System.LoggerFinder}, registered in
 * {@code META-INF/services/java.lang.System$LoggerFinder}: every {@code System.getLogger}
 * of the ledger (and of the JDK, e.g. its HTTP server) gets a logger writing to
 * {@link LogOutput#global()}. One logger per name, made on first use. Thread-safe.
 */
public final class LedgerLoggerFinder extends System.LoggerFinder {
    private final ConcurrentMap<String, System.Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public System.Logger getLogger(String name, Module module) {
        return loggers.computeIfAbsent(name, n -> new LedgerLogger(n, LogOutput.global()));
    }
}
