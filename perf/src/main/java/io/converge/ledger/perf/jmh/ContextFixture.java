package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.Ledger;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills a context for the read benchmarks: entries with key {@code ""}, no metadata and
 * each its own payload of random bytes (so reads touch as much memory as real entries).
 * Stateless.
 */
final class ContextFixture {
    /** The longest wait for the fill to complete, in seconds. */
    private static final long FILL_TIMEOUT_SECONDS = 120;

    private ContextFixture() {
    }

    /**
     * Appends {@code entries} entries of {@code payloadBytes} bytes each to
     * {@code contextId} and returns once every one is stored.
     *
     * @throws IllegalArgumentException when {@code entries} is less than 1
     * @throws IllegalStateException    when any append was refused or the fill timed out
     */
    static void fill(Ledger ledger, String contextId, int entries, int payloadBytes) {
        if (entries < 1) {
            throw new IllegalArgumentException("entries must be at least 1, not " + entries);
        }
        SplittableRandom random = new SplittableRandom(42);
        AppendCompletion last = new AppendCompletion();
        for (int i = 1; i <= entries; i++) {
            byte[] payload = new byte[payloadBytes];
            for (int b = 0; b < payloadBytes; b++) {
                payload[b] = (byte) random.nextInt();
            }
            ledger.append(contextId, "", payload, Map.of(), i == entries ? last : NoOpAppendCallback.INSTANCE);
        }
        last.await(FILL_TIMEOUT_SECONDS);
        NoOpAppendCallback.checkNoneRejected();
        long stored = ledger.view(contextId).latestSequence();
        if (stored != entries) {
            throw new IllegalStateException("context " + contextId + " holds " + stored + " entries, not " + entries);
        }
    }
}
