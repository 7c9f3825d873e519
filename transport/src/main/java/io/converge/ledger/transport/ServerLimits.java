package io.converge.ledger.transport;

import java.util.Map;

/**
 * The bounds the server's edge keeps for every client: where it listens, how many
 * connections and watchers it holds, how long it waits for a handshake, an idle connection
 * or a stalled stream at shutdown, and how many bytes of snapshot and load blobs it holds
 * in flight. Immutable. {@link #fromEnvironment} reads the variables listed in README.md.
 *
 * @param bindAddress          the address the gRPC port listens on ({@code LEDGER_BIND_ADDRESS},
 *                             default {@value #ANY_ADDRESS}: every interface, since engines on
 *                             other machines are its clients)
 * @param metricsBindAddress   the address of the HTTP metrics endpoint ({@code LEDGER_METRICS_BIND_ADDRESS},
 *                             default {@value #LOOPBACK}: only this machine)
 * @param maxConnections       open gRPC connections at most ({@code LEDGER_MAX_CONNECTIONS}); more are
 *                             closed as they arrive
 * @param maxWatchers          open Watch and WatchBatches streams at most ({@code LEDGER_MAX_WATCHERS});
 *                             more are refused with RESOURCE_EXHAUSTED
 * @param shutdownGraceMillis  how long a shutdown waits for streams to end before it cuts them
 *                             ({@code LEDGER_SHUTDOWN_GRACE_MS})
 * @param handshakeTimeoutMillis how long a new connection has to finish its handshake
 *                             ({@code LEDGER_HANDSHAKE_TIMEOUT_MS})
 * @param connectionIdleMillis how long a connection with no call open stays
 *                             ({@code LEDGER_CONNECTION_IDLE_MS})
 * @param transferBudgetBytes  bytes of Snapshot and Load blobs (and their chunks) the server holds at
 *                             once, over all calls ({@code LEDGER_TRANSFER_BUDGET_BYTES}); a call that
 *                             would exceed it is refused with RESOURCE_EXHAUSTED
 * @param parseBudgetBytes     bytes of AppendBatch and AppendStream requests being parsed at once, over all
 *                             calls ({@code LEDGER_PARSE_BUDGET_BYTES}); a request that would exceed it is
 *                             refused with RESOURCE_EXHAUSTED
 */
public record ServerLimits(String bindAddress, String metricsBindAddress, int maxConnections, int maxWatchers,
                           long shutdownGraceMillis, long handshakeTimeoutMillis, long connectionIdleMillis,
                           long transferBudgetBytes, long parseBudgetBytes) {
    public static final String ANY_ADDRESS = "0.0.0.0";
    public static final String LOOPBACK = "127.0.0.1";
    public static final int DEFAULT_MAX_CONNECTIONS = 1_000;
    public static final int DEFAULT_MAX_WATCHERS = 10_000;
    public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 5_000;
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    public static final long DEFAULT_CONNECTION_IDLE_MILLIS = 30 * 60_000;
    public static final long DEFAULT_TRANSFER_BUDGET_BYTES = 512L * 1024 * 1024;
    /** Four requests of the default largest message (64 MiB) at once. */
    public static final long DEFAULT_PARSE_BUDGET_BYTES = 256L * 1024 * 1024;

    public ServerLimits {
        if (bindAddress == null || bindAddress.isBlank() || metricsBindAddress == null || metricsBindAddress.isBlank()) {
            throw new IllegalArgumentException("bind addresses must not be empty");
        }
        if (maxConnections < 1 || maxWatchers < 0 || shutdownGraceMillis < 0 || handshakeTimeoutMillis < 1
            || connectionIdleMillis < 1 || transferBudgetBytes < 1 || parseBudgetBytes < 1) {
            throw new IllegalArgumentException("limits out of range: " + this);
        }
    }

    public static ServerLimits defaults() {
        return new ServerLimits(ANY_ADDRESS, LOOPBACK, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_WATCHERS,
            DEFAULT_SHUTDOWN_GRACE_MILLIS, DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, DEFAULT_CONNECTION_IDLE_MILLIS,
            DEFAULT_TRANSFER_BUDGET_BYTES, DEFAULT_PARSE_BUDGET_BYTES);
    }

    /**
     * Reads the limits from environment variables; an unset or empty one keeps its default.
     *
     * @throws IllegalArgumentException naming the variable that holds a bad value
     */
    static ServerLimits fromEnvironment(Map<String, String> env) {
        ServerLimits d = defaults();
        return new ServerLimits(
            address(env, "LEDGER_BIND_ADDRESS", d.bindAddress()),
            address(env, "LEDGER_METRICS_BIND_ADDRESS", d.metricsBindAddress()),
            (int) atLeastOne(env, "LEDGER_MAX_CONNECTIONS", d.maxConnections(), Integer.MAX_VALUE),
            (int) ServerSettings.number(env, "LEDGER_MAX_WATCHERS", d.maxWatchers(), Integer.MAX_VALUE),
            ServerSettings.number(env, "LEDGER_SHUTDOWN_GRACE_MS", d.shutdownGraceMillis(), 3_600_000),
            atLeastOne(env, "LEDGER_HANDSHAKE_TIMEOUT_MS", d.handshakeTimeoutMillis(), 3_600_000),
            atLeastOne(env, "LEDGER_CONNECTION_IDLE_MS", d.connectionIdleMillis(), Long.MAX_VALUE / 1_000_000),
            atLeastOne(env, "LEDGER_TRANSFER_BUDGET_BYTES", d.transferBudgetBytes(), Long.MAX_VALUE),
            atLeastOne(env, "LEDGER_PARSE_BUDGET_BYTES", d.parseBudgetBytes(), Long.MAX_VALUE));
    }

    public ServerLimits withMaxConnections(int n) {
        return new ServerLimits(bindAddress, metricsBindAddress, n, maxWatchers, shutdownGraceMillis,
            handshakeTimeoutMillis, connectionIdleMillis, transferBudgetBytes, parseBudgetBytes);
    }

    public ServerLimits withMaxWatchers(int n) {
        return new ServerLimits(bindAddress, metricsBindAddress, maxConnections, n, shutdownGraceMillis,
            handshakeTimeoutMillis, connectionIdleMillis, transferBudgetBytes, parseBudgetBytes);
    }

    public ServerLimits withShutdownGraceMillis(long millis) {
        return new ServerLimits(bindAddress, metricsBindAddress, maxConnections, maxWatchers, millis,
            handshakeTimeoutMillis, connectionIdleMillis, transferBudgetBytes, parseBudgetBytes);
    }

    public ServerLimits withTimeouts(long handshakeMillis, long idleMillis) {
        return new ServerLimits(bindAddress, metricsBindAddress, maxConnections, maxWatchers, shutdownGraceMillis,
            handshakeMillis, idleMillis, transferBudgetBytes, parseBudgetBytes);
    }

    public ServerLimits withTransferBudgetBytes(long bytes) {
        return new ServerLimits(bindAddress, metricsBindAddress, maxConnections, maxWatchers, shutdownGraceMillis,
            handshakeTimeoutMillis, connectionIdleMillis, bytes, parseBudgetBytes);
    }

    public ServerLimits withParseBudgetBytes(long bytes) {
        return new ServerLimits(bindAddress, metricsBindAddress, maxConnections, maxWatchers, shutdownGraceMillis,
            handshakeTimeoutMillis, connectionIdleMillis, transferBudgetBytes, bytes);
    }

    public ServerLimits withBindAddresses(String grpc, String metrics) {
        return new ServerLimits(grpc, metrics, maxConnections, maxWatchers, shutdownGraceMillis,
            handshakeTimeoutMillis, connectionIdleMillis, transferBudgetBytes, parseBudgetBytes);
    }

    private static long atLeastOne(Map<String, String> env, String name, long fallback, long max) {
        long n = ServerSettings.number(env, name, fallback, max);
        if (n < 1) {
            throw new IllegalArgumentException(name + "=" + env.get(name) + " must be at least 1");
        }
        return n;
    }

    private static String address(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
