package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;

import java.util.Map;

/** The ledger as an {@link AppendTarget}: every append is stored and answered. */
final class LedgerAppendTarget implements AppendTarget {
    /** The context of the final append that {@link #drain} waits for. */
    static final String DRAIN_CONTEXT = "jmh-drain";

    private static final byte[] EMPTY = new byte[0];

    private final Ledger ledger;

    LedgerAppendTarget(LedgerConfig config) {
        this.ledger = Ledger.start(config);
    }

    @Override
    public void append(String contextId, String key, byte[] payload, Map<String, String> metadata,
                       AppendCallback callback) {
        ledger.append(contextId, key, payload, metadata, callback);
    }

    /** Appends one more entry and waits for its callback: the ring completes in order. */
    @Override
    public void drain(long timeoutSeconds) {
        AppendCompletion last = new AppendCompletion();
        ledger.append(DRAIN_CONTEXT, "", EMPTY, Map.of(), last);
        last.await(timeoutSeconds);
    }

    @Override
    public void close() {
        ledger.close();
    }
}
