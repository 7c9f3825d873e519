package io.converge.ledger.transport;

import io.converge.ledger.cluster.ClusterSettings;
import io.grpc.ServerBuilder;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/** What the server main serves, from {@code LEDGER_MODE}: the ledger (default) or the no-op baseline. */
public enum ServingMode {
    /** The ledger: {@link LedgerServer}. */
    LEDGER,
    /** The transport alone, for side-by-side measurements: {@link BaselineServer}. */
    NOOP_BASELINE;

    /**
     * Reads {@code LEDGER_MODE}: {@code ledger} (also when unset or empty) or {@code noop-baseline}.
     *
     * @throws IllegalArgumentException for any other value, naming the variable
     */
    public static ServingMode fromEnvironment(Map<String, String> env) {
        String value = env.get("LEDGER_MODE");
        if (value == null || value.isBlank()) {
            return LEDGER;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "ledger" -> LEDGER;
            case "noop-baseline" -> NOOP_BASELINE;
            default -> throw new IllegalArgumentException("LEDGER_MODE=" + value + " is not one of ledger, noop-baseline");
        };
    }

    /** Starts this mode's server on {@code builder}'s transport. */
    public RunningServer start(ServerBuilder<?> builder, ServerSettings settings) throws IOException {
        return start(builder, settings, null);
    }

    /** As {@link #start(ServerBuilder, ServerSettings)}, as a member of a ledger cluster when {@code cluster} is set. */
    public RunningServer start(ServerBuilder<?> builder, ServerSettings settings, ClusterSettings cluster)
        throws IOException {
        if (cluster != null && this != LEDGER) {
            throw new IllegalStateException("cluster mode serves the ledger; LEDGER_MODE=noop-baseline cannot join a"
                + " cluster");
        }
        return switch (this) {
            case LEDGER -> LedgerServer.start(builder, settings, cluster);
            case NOOP_BASELINE -> BaselineServer.start(builder, settings);
        };
    }
}
