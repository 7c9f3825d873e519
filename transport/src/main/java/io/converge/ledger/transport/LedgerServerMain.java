package io.converge.ledger.transport;

import io.converge.ledger.core.Ledger;

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
        String tooLarge = mode == ServingMode.LEDGER ? MemoryCeiling.refusal(settings.ledger()) : null;
        if (tooLarge != null) {
            System.err.println("converge-ledger: " + tooLarge);
            System.exit(2);
            return;
        }
        RunningServer server;
        NettyEdge edge = NettyEdge.create(settings.limits());
        try {
            server = mode.start(edge.builder(settings.port()), settings);
        } catch (IllegalStateException e) {
            edge.close();
            System.err.println("converge-ledger: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (server instanceof LedgerServer ledgerServer && ledgerServer.meterRegistry() != null) {
            edge.bindTo(ledgerServer.meterRegistry());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("converge-ledger: shutting down");
            server.close();
            edge.close();
            System.err.println("converge-ledger: stopped");
        }, "ledger-shutdown"));
        if (mode == ServingMode.NOOP_BASELINE) {
            System.err.println("converge-ledger: NO-OP BASELINE (stores nothing, only answers Append) listening on port "
                + server.port() + " of " + settings.limits().bindAddress());
        } else {
            Ledger ledger = ((LedgerServer) server).ledger();
            for (String report : ledger.recoveryReports()) {
                System.err.println("converge-ledger: " + report);
            }
            System.err.println("converge-ledger: listening on port " + server.port() + " of "
                + settings.limits().bindAddress() + " (at most " + settings.limits().maxConnections()
                + " connections; records: "
                + ledger.storageDescription() + "; recovered " + ledger.recoveredEntries() + " entries of "
                + ledger.contextCount() + " contexts; ring " + settings.ledger().ringSize() + " slots, memory budget "
                + settings.ledger().memoryBudgetBytes() + " bytes, wait strategy " + settings.ledger().waitStrategy() + ")");
        }
        if (server.metricsPort() >= 0) {
            String host = settings.limits().metricsBindAddress();
            if (host.equals(ServerLimits.LOOPBACK) || host.equals(ServerLimits.ANY_ADDRESS)) {
                host = "localhost";
            }
            System.err.println("converge-ledger: metrics on http://" + host + ":" + server.metricsPort() + "/metrics"
                + " (bound to " + settings.limits().metricsBindAddress() + ")");
        }
        server.awaitTermination();
    }
}
