package io.converge.ledger.transport;

import io.converge.ledger.cluster.ClusterSettings;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.transport.logging.LogSettings;
import io.converge.ledger.transport.logging.ServerLogging;
import io.converge.ledger.transport.security.SighupReload;
import io.grpc.netty.NettyServerBuilder;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts the ledger server on the port in {@code GRPC_PORT} (default 50051), configured
 * from the environment (see {@link ServerSettings#fromEnvironment}), with the HTTP metrics
 * endpoint when {@code LEDGER_METRICS_PORT} is set, and shuts it down
 * gracefully on SIGTERM or SIGINT.
 *
 * <p>It logs through {@link ServerLogging}, configured by {@code LEDGER_LOG_LEVEL} and
 * {@code LEDGER_LOG_FORMAT}, under the logger name {@value #LOGGER}. A bad value of any
 * variable exits with status 2 and a message naming it; a start that fails, with status 1.
 */
public final class LedgerServerMain {
    /** The name the main's own lines are logged under. */
    static final String LOGGER = "converge-ledger";

    private LedgerServerMain() {
    }

    public static void main(String[] args) throws Exception {
        serve(System.getenv(), builder -> { });
    }

    /**
     * Does what {@link #main} does, configured from {@code env}, with {@code beforeStart} given the
     * server's Netty builder after the edge's bounds are set on it and before the server is built
     * and started on it: a hook for a tool that must run this exact server with something added,
     * such as the perf gate's planted-slowdown interceptor. Returns when the server has
     * terminated; like {@link #main}, exits the JVM on a bad setting or a failed start.
     */
    public static void serve(Map<String, String> env, Consumer<NettyServerBuilder> beforeStart) throws Exception {
        LogSettings logSettings;
        try {
            logSettings = LogSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            System.err.println(LOGGER + ": " + e.getMessage()); // the log setup itself is what is wrong
            System.exit(2);
            return;
        }
        ServerLogging.configure(logSettings);
        System.Logger log = System.getLogger(LOGGER);
        ServerSettings settings;
        ServingMode mode;
        ClusterSettings cluster;
        try {
            settings = ServerSettings.fromEnvironment(env);
            mode = ServingMode.fromEnvironment(env);
            Path dataDirectory = settings.ledger().storage().dataDirectory() != null
                ? settings.ledger().storage().dataDirectory()
                : Path.of(env.getOrDefault("LEDGER_DATA_DIR", ServerSettings.DEFAULT_DATA_DIR));
            cluster = ClusterSettings.fromEnvironment(env, dataDirectory);
        } catch (IllegalArgumentException e) {
            log.log(System.Logger.Level.ERROR, e.getMessage());
            System.exit(2);
            return;
        }
        String tooLarge = mode == ServingMode.LEDGER ? MemoryCeiling.refusal(settings.ledger()) : null;
        if (tooLarge != null) {
            log.log(System.Logger.Level.ERROR, tooLarge);
            System.exit(2);
            return;
        }
        log.log(System.Logger.Level.INFO, EffectiveConfiguration.describe(mode, settings, logSettings, env));
        RunningServer server;
        NettyEdge edge = NettyEdge.create(settings.limits());
        try {
            NettyServerBuilder builder = edge.builder(settings.port(), settings.security().serverCredentials());
            beforeStart.accept(builder);
            server = mode.start(builder, settings, cluster);
        } catch (IllegalStateException e) {
            edge.close();
            log.log(System.Logger.Level.ERROR, "cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (server instanceof LedgerServer ledgerServer && ledgerServer.meterRegistry() != null) {
            edge.bindTo(ledgerServer.meterRegistry());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.log(System.Logger.Level.INFO, "shutting down");
            server.close();
            edge.close();
            log.log(System.Logger.Level.INFO, "stopped");
        }, "ledger-shutdown"));
        // Before "listening": a SIGHUP sent as soon as the server says it listens must find the handler.
        if (settings.security().authOn() && server instanceof LedgerServer ledgerServer) {
            boolean reloads = SighupReload.install(ledgerServer::reloadTokens);
            log.log(System.Logger.Level.INFO, "token authentication on, " + settings.security().tokens().size()
                + " tokens from " + settings.security().tokensFile() + (reloads ? " (SIGHUP reloads it)"
                : " (SIGHUP cannot reload it: this process was started with SIGHUP ignored, as under nohup,"
                + " or the JVM offers none; restart to change tokens)"));
        } else if (settings.security().authOn()) {
            log.log(System.Logger.Level.WARNING, "LEDGER_AUTH_TOKENS_FILE is not applied in noop-baseline mode");
        }
        if (mode == ServingMode.NOOP_BASELINE) {
            log.log(System.Logger.Level.INFO, "NO-OP BASELINE (stores nothing, only answers Append) listening on port "
                + server.port() + " of " + settings.limits().bindAddress());
        } else {
            Ledger ledger = ((LedgerServer) server).ledger(); // recovery logged its own reports, at warn
            log.log(System.Logger.Level.INFO, "listening on port " + server.port() + " of "
                + settings.limits().bindAddress() + " (at most " + settings.limits().maxConnections()
                + " connections; records: "
                + ledger.storageDescription() + "; recovered " + ledger.recoveredEntries() + " entries of "
                + ledger.contextCount() + " contexts; ring " + settings.ledger().ringSize() + " slots, memory budget "
                + settings.ledger().memoryBudgetBytes() + " bytes, wait strategy " + settings.ledger().waitStrategy() + ")");
        }
        if (settings.security().tlsOn()) {
            log.log(System.Logger.Level.INFO, "TLS only, certificate " + settings.security().tls().certFile()
                + (settings.security().tls().mutual() ? "; clients must present a certificate (mTLS)" : ""));
        }
        if (server.metricsPort() >= 0) {
            String host = settings.limits().metricsBindAddress();
            if (host.equals(ServerLimits.LOOPBACK) || host.equals(ServerLimits.ANY_ADDRESS)) {
                host = "localhost";
            }
            log.log(System.Logger.Level.INFO, "metrics on " + (settings.security().tlsOn() ? "https" : "http") + "://"
                + host + ":" + server.metricsPort() + "/metrics (bound to " + settings.limits().metricsBindAddress() + ")");
        }
        server.awaitTermination();
    }
}
