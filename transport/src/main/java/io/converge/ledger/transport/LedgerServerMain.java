package io.converge.ledger.transport;

import io.converge.ledger.core.Ledger;
import io.converge.ledger.transport.security.SighupReload;
import io.grpc.netty.NettyServerBuilder;

/**
 * Starts the ledger server on the port in {@code GRPC_PORT} (default 50051), configured
 * from the environment (see {@link ServerSettings#fromEnvironment}), with the HTTP metrics
 * endpoint when {@code LEDGER_METRICS_PORT} is set, and shuts it down
 * gracefully on SIGTERM or SIGINT.
 */
public final class LedgerServerMain {
    private LedgerServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings;
        ServingMode mode;
        try {
            settings = ServerSettings.fromEnvironment(System.getenv());
            mode = ServingMode.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("converge-ledger: " + e.getMessage());
            System.exit(2);
            return;
        }
        RunningServer server;
        try {
            server = mode.start(NettyServerBuilder.forPort(settings.port(), settings.security().serverCredentials()),
                settings);
        } catch (IllegalStateException e) {
            System.err.println("converge-ledger: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("converge-ledger: shutting down");
            server.close();
            System.err.println("converge-ledger: stopped");
        }, "ledger-shutdown"));
        if (mode == ServingMode.NOOP_BASELINE) {
            System.err.println("converge-ledger: NO-OP BASELINE (stores nothing, only answers Append) listening on port "
                + server.port());
        } else {
            Ledger ledger = ((LedgerServer) server).ledger();
            for (String report : ledger.recoveryReports()) {
                System.err.println("converge-ledger: " + report);
            }
            System.err.println("converge-ledger: listening on port " + server.port() + " (records: "
                + ledger.storageDescription() + "; recovered " + ledger.recoveredEntries() + " entries of "
                + ledger.contextCount() + " contexts; ring " + settings.ledger().ringSize() + " slots, memory budget "
                + settings.ledger().memoryBudgetBytes() + " bytes, wait strategy " + settings.ledger().waitStrategy() + ")");
        }
        if (settings.security().tlsOn()) {
            System.err.println("converge-ledger: TLS only, certificate " + settings.security().tls().certFile()
                + (settings.security().tls().mutual() ? "; clients must present a certificate (mTLS)" : ""));
        }
        if (settings.security().authOn() && server instanceof LedgerServer ledgerServer) {
            boolean reloads = SighupReload.install(ledgerServer::reloadTokens);
            System.err.println("converge-ledger: token authentication on, " + settings.security().tokens().size()
                + " tokens from " + settings.security().tokensFile() + (reloads ? " (SIGHUP reloads it)" : ""));
        } else if (settings.security().authOn()) {
            System.err.println("converge-ledger: LEDGER_AUTH_TOKENS_FILE is not applied in noop-baseline mode");
        }
        if (server.metricsPort() >= 0) {
            System.err.println("converge-ledger: metrics on " + (settings.security().tlsOn() ? "https" : "http")
                + "://localhost:" + server.metricsPort() + "/metrics");
        }
        server.awaitTermination();
    }
}
