package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;

import java.util.List;
import java.util.Map;

/**
 * The limit a {@link Ledger} can reach on this machine: the same ring, wait strategy and
 * producer path (input checks, claim, fill, publish) as {@link Ledger#append}, consumed by
 * one handler that only clears the slot. It stores nothing and calls no callback. For
 * benchmarks and the perf gate, which give the ledger's rates as a ratio to this one.
 *
 * <p>Thread-safe as {@link Ledger} is.
 */
public final class RingBaseline implements AutoCloseable {
    private final CommandRing commands;

    private RingBaseline(LedgerConfig config) {
        EventHandler<LedgerCommand> nothing = (command, sequence, endOfBatch) -> command.clear();
        this.commands = new CommandRing(config, config.waitStrategy().create(), List.of(nothing), new RingFaults());
    }

    /** Starts the ring's one handler thread; it runs until {@link #close()}. */
    public static RingBaseline start(LedgerConfig config) {
        return new RingBaseline(config);
    }

    /**
     * Publishes an append exactly as {@link Ledger#append} does; the callback is never called.
     *
     * @throws LedgerException as {@link Ledger#append}
     */
    public void append(String contextId, String key, byte[] payload, Map<String, String> metadata,
                       AppendCallback callback) {
        commands.publishAppend(contextId, key, payload, metadata, callback, true);
    }

    /** Free slots in the ring right now. */
    public long ringRemainingCapacity() {
        return commands.remainingCapacity();
    }

    /** Drains the ring and stops its thread. Idempotent. */
    @Override
    public void close() {
        commands.close();
    }
}
