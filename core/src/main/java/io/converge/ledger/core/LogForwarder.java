package io.converge.ledger.core;

import com.lmax.disruptor.EventHandler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The ring's first stage in cluster mode, in place of the {@link Sequencer}: encodes the
 * ring batch's writes into one {@link LogMessages} message (more only when they overflow the
 * log's largest message; a Load takes a message of its own) and offers it to the
 * {@link ReplicatedLog}. It writes nothing to the store: every member's {@link LogApplier}
 * does, from the committed log, and this member's answers the callers then. A command it
 * forwarded is marked so that the {@link CompletionHandler} leaves its callback alone; one
 * too large for a log message carries its refusal on to the completion handler like a
 * sequencer's. When the log does not take a message, its callers are answered UNAVAILABLE
 * here, on this thread.
 *
 * <p>One thread, the ring's; the only writer of its message buffer.
 */
final class LogForwarder implements EventHandler<LedgerCommand> {
    private final ReplicatedLog log;
    private final PendingReplies pending;
    private final ByteBuffer message;
    private final Runnable repliesDone;
    private final List<Object> replies = new ArrayList<>();
    /**
     * The last message's correlation. It starts at a random point, not 0: a restarted member
     * replays its earlier run's messages, which carry its own member id, from the log, and
     * must not take one of them for a message of this run that waits in {@link PendingReplies}.
     */
    private long correlation = new SecureRandom().nextLong() >>> 2;
    private int commands;
    private String lastContextId = "";
    private byte[] lastContextIdUtf8 = EntryRecord.EMPTY;
    private String lastKey = "";
    private byte[] lastKeyUtf8 = EntryRecord.EMPTY;

    /** @param repliesDone run on this thread after it answered callers itself (the ledger's batch-end action) */
    LogForwarder(ReplicatedLog log, PendingReplies pending, Runnable repliesDone) {
        this.log = log;
        this.pending = pending;
        this.repliesDone = repliesDone;
        this.message = ByteBuffer.allocate(log.maxMessageBytes()).order(LogMessages.ORDER);
    }

    @Override
    public void onEvent(LedgerCommand c, long ringSequence, boolean endOfBatch) {
        switch (c.type) {
            case APPEND -> forwardAppend(c);
            case BATCH_APPEND -> forwardBatchSlot(c);
            case LOAD -> forwardLoad(c);
            default -> {
                // CLOSE is the completion handler's.
            }
        }
        boolean midBatch = c.type == LedgerCommand.Type.BATCH_APPEND && c.batch.rejection == null
            && c.batchIndex < c.batch.lastSlot();
        if (endOfBatch && !midBatch) {
            flush();
        }
    }

    private void forwardAppend(LedgerCommand c) {
        byte[] metadata = EntryRecord.encodeMetadata(c.metadata);
        int bytes = 5 + bytesOf(c, metadata);
        if (bytes > room()) {
            flush();
            if (bytes > room()) {
                c.rejection = tooLarge("an entry of " + bytes, bytes);
                return;
            }
        }
        begin();
        message.put(LogMessages.ONE_APPEND).putInt(1);
        putEntry(c, metadata);
        commands++;
        c.forwarded = true;
        replies.add(c.appendCallback);
    }

    private void forwardBatchSlot(LedgerCommand c) {
        AppendedBatch b = c.batch;
        if (c.batchIndex == 0) {
            BatchStream stream = b.stream;
            if (stream != null && stream.refusal != null) {
                b.rejection = new LedgerException(stream.refusal.reason(),
                    "an earlier batch on this stream was refused: " + stream.refusal.getMessage());
                return;
            }
            long bound = 5 + b.recordBytes + 16L * b.size; // a record is larger than an entry's encoding but for 16 bytes
            if (bound > room()) {
                flush();
                if (bound > room()) {
                    b.rejection = tooLarge("a batch of " + b.size + " entries and " + b.recordBytes + " record", bound);
                    if (stream != null) {
                        stream.refusal = b.rejection;
                    }
                    return;
                }
            }
            begin();
            message.put(LogMessages.A_BATCH).putInt(b.size);
            commands++;
            replies.add(b);
            if (b.size == 0) {
                c.forwarded = true; // an empty batch goes through the log too, to be answered in its stream's turn
            }
        }
        if (b.rejection != null || c.batchIndex >= b.size) {
            return;
        }
        putEntry(c, EntryRecord.encodeMetadata(c.metadata));
        c.forwarded = true;
    }

    private void forwardLoad(LedgerCommand c) {
        flush();
        SnapshotBytes blob = c.snapshot.blob();
        byte[] contextId = c.contextId.getBytes(StandardCharsets.UTF_8);
        long bytes = LogMessages.HEADER_BYTES + 4L + contextId.length + 1 + 4 + blob.size();
        if (bytes > message.capacity()) {
            c.rejection = tooLarge("a Load blob of " + blob.size(), bytes);
            return;
        }
        begin(LogMessages.LOAD);
        message.putInt(contextId.length).put(contextId).put((byte) (c.failIfExists ? 1 : 0)).putInt((int) blob.size());
        blob.copyTo(message);
        c.forwarded = true;
        replies.add(c.loadCallback);
        commands = 1;
        flush();
    }

    private LedgerException tooLarge(String what, long bytes) {
        return LedgerException.exhausted(what + " bytes takes " + bytes + " bytes in the cluster's log, over its largest"
            + " message of " + log.maxMessageBytes() + " bytes: send it in smaller batches");
    }

    private int room() {
        return message.capacity() - Math.max(message.position(), LogMessages.HEADER_BYTES + 4);
    }

    private void begin() {
        if (message.position() == 0) {
            begin(LogMessages.APPENDS);
            message.putInt(0); // the command count, set at flush
        }
    }

    private void begin(int type) {
        message.clear();
        message.putInt(type).putInt(log.memberId()).putLong(++correlation);
        commands = 0;
    }

    private int bytesOf(LedgerCommand c, byte[] metadata) {
        return LogMessages.entryBytes(contextIdUtf8(c.contextId).length, keyUtf8(c.key).length, metadata.length,
            c.payload.length);
    }

    private void putEntry(LedgerCommand c, byte[] metadata) {
        byte[] contextId = contextIdUtf8(c.contextId);
        byte[] key = keyUtf8(c.key);
        message.putInt(contextId.length).put(contextId).putInt(key.length).put(key)
            .putInt(metadata.length).put(metadata).putInt(c.payload.length).put(c.payload);
    }

    /** Offers the message built so far, if any; on refusal its commands carry UNAVAILABLE on to the completion handler. */
    private void flush() {
        if (message.position() == 0) {
            return;
        }
        if (LogMessages.type(message, 0) == LogMessages.APPENDS) {
            message.putInt(LogMessages.HEADER_BYTES, commands);
        }
        message.flip();
        long id = LogMessages.correlation(message, 0);
        PendingReplies.Pending p = new PendingReplies.Pending(System.nanoTime() + log.commitTimeoutNanos(),
            List.copyOf(replies));
        pending.put(id, p);
        if (!log.offer(message)) {
            PendingReplies.Pending refused = pending.take(id);
            if (refused != null) {
                PendingReplies.refuse(refused, new LedgerException(LedgerException.Reason.UNAVAILABLE,
                    "the cluster is not taking writes: " + log.unavailableReason()));
                repliesDone.run();
            }
        }
        message.clear();
        replies.clear();
        commands = 0;
    }

    private byte[] contextIdUtf8(String contextId) {
        if (contextId != lastContextId && !contextId.equals(lastContextId)) {
            lastContextIdUtf8 = contextId.getBytes(StandardCharsets.UTF_8);
            lastContextId = contextId;
        }
        return lastContextIdUtf8;
    }

    private byte[] keyUtf8(String key) {
        if (key != lastKey && !key.equals(lastKey)) {
            lastKeyUtf8 = key.getBytes(StandardCharsets.UTF_8);
            lastKey = key;
        }
        return lastKeyUtf8;
    }
}
