package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The limit a {@link Ledger} can reach on this machine: the same ring, wait strategy and
 * producer path (input checks, claim, fill, publish) as {@link Ledger#append}, consumed by
 * one handler that does a subset of the sequencer's work. It calls no callback. For
 * benchmarks and the perf gate, which give the ledger's rates as a ratio to this one.
 *
 * <p>Two handlers: {@link #start} only clears the slot, the ring's own limit;
 * {@link #startWritingRecords} also writes each append's {@link EntryRecord}, CRC-32C
 * included, into a preallocated direct buffer that it reuses round and round: the same
 * memory traffic per entry as the sequencer's, without the context lookup, the index, the
 * ids, the budget or the completion stage. The second is an upper bound of the ledger that
 * moves with it when the machine's memory or the ring's hand-off gets faster or slower.
 *
 * <p>Thread-safe as {@link Ledger} is.
 */
public final class RingBaseline implements AutoCloseable {
    /** The buffer {@link #startWritingRecords} writes into, round and round. */
    static final int RECORD_BUFFER_BYTES = 64 << 20;

    private final CommandRing commands;
    /** Null for {@link #start}'s handler. */
    private final RecordWriting recordWriting;

    private RingBaseline(LedgerConfig config, EventHandler<LedgerCommand> handler) {
        this.recordWriting = handler instanceof RecordWriting r ? r : null;
        this.commands = new CommandRing(config, config.waitStrategy().create(), List.of(handler), new RingFaults());
    }

    /** Starts the ring's one handler thread, which only clears each slot; it runs until {@link #close()}. */
    public static RingBaseline start(LedgerConfig config) {
        return new RingBaseline(config, (command, sequence, endOfBatch) -> command.clear());
    }

    /**
     * Starts the ring's one handler thread, which writes each append's record as the
     * sequencer would, then clears the slot; it runs until {@link #close()}. Appends only:
     * a batch's slots are cleared unwritten.
     */
    public static RingBaseline startWritingRecords(LedgerConfig config) {
        return new RingBaseline(config, new RecordWriting());
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

    /** Records written by {@link #startWritingRecords}'s handler so far; 0 for {@link #start}'s. */
    public long recordsWritten() {
        return recordWriting == null ? 0 : recordWriting.written;
    }

    /** Drains the ring and stops its thread. Idempotent. */
    @Override
    public void close() {
        commands.close();
    }

    /** The record-writing handler: the ring's one consumer thread only. */
    private static final class RecordWriting implements EventHandler<LedgerCommand> {
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECORD_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final ByteBuffer view = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private String lastContext = "";
        private byte[] lastContextUtf8 = EntryRecord.EMPTY;
        private int offset;
        private volatile long written;

        @Override
        public void onEvent(LedgerCommand command, long sequence, boolean endOfBatch) {
            if (command.type == LedgerCommand.Type.APPEND) {
                if (!command.contextId.equals(lastContext)) {
                    lastContext = command.contextId;
                    lastContextUtf8 = lastContext.getBytes(StandardCharsets.UTF_8);
                }
                byte[] key = command.key.isEmpty() ? EntryRecord.EMPTY : command.key.getBytes(StandardCharsets.UTF_8);
                byte[] metadata = EntryRecord.encodeMetadata(command.metadata);
                int size = EntryRecord.size(lastContextUtf8.length, key.length, metadata.length, command.payload.length);
                if (offset + size > RECORD_BUFFER_BYTES) {
                    offset = 0;
                }
                long n = written;
                EntryRecord.write(buffer, view, crc, offset, n + 1, 0, n, command.publishedAtNanos, lastContextUtf8, key,
                    metadata, command.payload);
                offset += size;
                written = n + 1;
            }
            command.clear();
        }
    }
}
