package io.converge.ledger.transport;

import io.converge.ledger.core.ContextLog;
import io.converge.ledger.core.WatchSink;
import io.converge.ledger.core.WatchSubscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Watch or WatchBatches stream as the core's {@link WatchSink}. Ready exactly when
 * gRPC flow control lets the server send without buffering, so a slow client holds no
 * more than its window; a message is handed to gRPC only when the {@link WatchBytesBudget}
 * has room for it, and one that leaves the call not ready stays charged until the call is
 * ready again, so all watchers together hold a bounded number of bytes in the transport.
 *
 * <p>Entries go out in the wire bytes {@link EncodedEntries} keeps, shared with every other
 * watcher of the entry. A Watch sends one entry per message; a WatchBatches stream
 * gathers the consecutive entries offered in one drain, up to {@code batchCapBytes} per
 * message, and sends them at {@link #flush()}, never waiting for more.
 *
 * <p>The stream ends honestly: on shutdown (or a fault in the server) with UNAVAILABLE
 * and the sequence to resume after; OK is never sent. The core calls the sink methods from
 * one thread at a time; the call's on-ready and on-cancel events come from gRPC's threads.
 */
final class GrpcWatchSink implements WatchSink {
    /** gRPC's default on-ready threshold: a message this small goes to a watcher holding no charge without asking. */
    static final int SMALL_MESSAGE_BYTES = 32 * 1024;

    private final ServerCallStreamObserver<EncodedMessage> call;
    private final EncodedEntries encoded;
    private final WatchBytesBudget budget;
    private final WatchBytesBudget.Account account;
    /** 0 for Watch (one entry per message); else the largest WatchBatch, in bytes. */
    private final int batchCapBytes;
    private final Runnable onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean waitingForBudget = new AtomicBoolean();
    /** Charged for messages handed to gRPC that left the call not ready, until it is ready again. */
    private final AtomicLong sentCharge = new AtomicLong();
    private final Runnable resumeAction = this::budgetFreed;
    private volatile WatchSubscription subscription;

    // Delivery-thread state.
    private final List<byte[]> pending = new ArrayList<>();
    private int pendingBytes;
    private long pendingLast;
    /** The last sequence handed to gRPC: what a client resumes after. */
    private volatile long lastSent;

    /**
     * @param fromSequence the request's from_sequence: what to resume after when nothing was sent
     * @param onEnd        runs once when the stream ends, however it ends
     */
    GrpcWatchSink(ServerCallStreamObserver<EncodedMessage> call, EncodedEntries encoded, WatchBytesBudget budget,
                  WatchBytesBudget.Account account, int batchCapBytes, long fromSequence, Runnable onEnd) {
        this.call = call;
        this.encoded = encoded;
        this.budget = budget;
        this.account = account;
        this.batchCapBytes = batchCapBytes;
        this.lastSent = fromSequence;
        this.onEnd = onEnd;
        call.setOnCancelHandler(this::cancelled);
        call.setOnReadyHandler(this::ready);
    }

    void attach(WatchSubscription accepted) {
        subscription = accepted;
        if (call.isCancelled()) {
            accepted.cancel();
        }
    }

    private void cancelled() {
        WatchSubscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        end();
    }

    private void ready() {
        budget.release(account, sentCharge.getAndSet(0));
        resume();
    }

    private void budgetFreed() {
        waitingForBudget.set(false);
        resume();
    }

    private void resume() {
        WatchSubscription s = subscription;
        if (s != null) {
            s.resume();
        }
    }

    @Override
    public boolean isReady() {
        return call.isReady() && !call.isCancelled();
    }

    @Override
    public boolean offer(ContextLog log, long sequence) {
        byte[] framed = encoded.framed(log, sequence);
        if (batchCapBytes > 0 && !pending.isEmpty() && pendingBytes + framed.length > batchCapBytes) {
            sendPending();
            if (!call.isReady()) {
                return false; // offered again once the call is ready (its on-ready resumes the watch)
            }
        }
        if (!room(pendingBytes + framed.length)) {
            return false;
        }
        pending.add(framed);
        pendingBytes += framed.length;
        pendingLast = sequence;
        if (batchCapBytes == 0) {
            sendPending();
        }
        return true;
    }

    /**
     * Whether the budget has room for a message of {@code bytes}; if not, the watch resumes
     * once it has. A small message to a watcher that holds no charge needs no room: gRPC
     * bounds what one stream queues to its on-ready threshold and the message after it, so a
     * watcher that keeps up is never held back by a budget that stalled watchers spent.
     */
    private boolean room(int bytes) {
        if (bytes <= SMALL_MESSAGE_BYTES && sentCharge.get() == 0) {
            return true;
        }
        if (!waitingForBudget.compareAndSet(false, true)) {
            return false; // already waiting: the wake-up will resume it
        }
        if (!budget.hasRoom(account, bytes, resumeAction)) {
            return false;
        }
        waitingForBudget.set(false);
        return true;
    }

    @Override
    public void flush() {
        if (!pending.isEmpty()) {
            sendPending();
        }
    }

    private void sendPending() {
        EncodedMessage message = pending.size() == 1 ? EncodedMessage.of(pending.get(0))
            : EncodedMessage.of(pending.toArray(new byte[0][]), pendingBytes);
        long last = pendingLast;
        int bytes = pendingBytes;
        pending.clear();
        pendingBytes = 0;
        if (ended.get() || call.isCancelled()) {
            return;
        }
        call.onNext(message);
        lastSent = last;
        if (!call.isReady()) {
            // The transport holds it beyond gRPC's on-ready threshold: charged until ready again.
            budget.charge(account, bytes);
            sentCharge.addAndGet(bytes);
            if (ended.get() || call.isReady()) {
                releaseAll(); // ended, or drained, while charging: the on-ready may have come first
            }
        }
    }

    @Override
    public void onClosed() {
        endWith(Status.UNAVAILABLE.withDescription("the server is shutting down; resume after sequence " + lastSent));
    }

    @Override
    public void onFailed(Throwable cause) {
        endWith(Status.UNAVAILABLE.withDescription("the watch failed in the server (" + cause
            + "); resume after sequence " + lastSent));
    }

    private void endWith(Status status) {
        pending.clear();
        pendingBytes = 0;
        if (end() && !call.isCancelled()) {
            call.onError(status.asRuntimeException());
        }
    }

    /** @return whether this call ended the stream (the first to) */
    private boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        releaseAll();
        budget.close(account);
        onEnd.run();
        return true;
    }

    private void releaseAll() {
        budget.release(account, sentCharge.getAndSet(0));
    }

    /** The ledger refused the watch: the stream ends with that refusal, which the caller sends. */
    void refused() {
        end();
    }

    /** The last sequence handed to gRPC (the request's from_sequence before any). */
    long lastSent() {
        return lastSent;
    }
}
