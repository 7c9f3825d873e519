package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.LedgerConfig;

import java.util.Map;

/**
 * What {@link AppendBenchmark} publishes into: the ledger itself, or the limit it is
 * compared with. Started by {@link #start}, used by any number of producer threads, then
 * drained and closed by one thread after the producers stopped.
 */
interface AppendTarget extends AutoCloseable {
    /** The {@code target} parameter's value for the ledger: ring, sequencer, completion. */
    String LEDGER = "ledger";
    /** The {@code target} parameter's value for the limit: the same ring, a handler that does nothing. */
    String NOOP_RING = "noop-ring";

    /**
     * Appends as {@code Ledger.append} does: the same validation, the same ring claim.
     * Thread-safe.
     */
    void append(String contextId, String key, byte[] payload, Map<String, String> metadata, AppendCallback callback);

    /**
     * Waits until every append published before this call has been completed by the
     * ring's handlers. Call only once the producers stopped.
     *
     * @param timeoutSeconds the longest wait, in seconds
     * @throws IllegalStateException when the ring did not drain in time
     */
    void drain(long timeoutSeconds);

    /** Stops the ring's threads. */
    @Override
    void close();

    /**
     * Starts the target named by {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    static AppendTarget start(String name, LedgerConfig config) {
        return switch (name) {
            case LEDGER -> new LedgerAppendTarget(config);
            case NOOP_RING -> new RingBaselineAppendTarget(config);
            default -> throw new IllegalArgumentException("unknown append target " + name);
        };
    }
}
