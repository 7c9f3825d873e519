package io.converge.ledger.transport;

import io.converge.ledger.core.AppendedBatch;
import io.converge.ledger.core.BatchAppendCallback;
import io.converge.ledger.core.BatchStream;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.util.concurrent.EventExecutor;

/**
 * One AppendStream call: each request batch goes to {@link Ledger#appendBatch} and is
 * answered by one response, in order; the first refusal ends the stream with its status
 * once every earlier batch was answered, and the client's half-close ends it with OK
 * likewise.
 *
 * <p><b>Flow control.</b> Inbound requests are read on demand: at most
 * {@value #BATCHES_IN_FLIGHT} batches of a stream are in the ledger at once, and the next
 * is read only after one was answered and the response could be sent without buffering
 * (the call is ready), so neither a fast sender nor a client that stops reading its
 * answers makes the server buffer without bound.
 *
 * <p><b>Shutdown.</b> When the server shuts down ({@link #shutdown()}), the call reads no
 * more batches, answers those it has in hand (the ledger answers everything in its ring
 * before it stops), and then ends with UNAVAILABLE saying so, never with OK: a client that
 * did not half-close knows to resend what was not answered.
 *
 * <p><b>Threading.</b> gRPC delivers the client's messages from one thread at a time; the
 * answers come from the call's event loop (or the ledger's completion thread, off Netty).
 * Every use of the call is under this object's lock, which those two threads share.
 */
final class AppendStreamCall implements StreamObserver<WireBatch> {
    /** Batches of one stream in the ledger at once. */
    static final int BATCHES_IN_FLIGHT = 8;

    private static final System.Logger LOG = System.getLogger(AppendStreamCall.class.getName());

    private final Ledger ledger;
    private final RingRoomWait ringRoom;
    private final ServerCallStreamObserver<EncodedMessage> call;
    private final ReplyCoalescer replies;
    private final EventExecutor loop;
    private final BatchStream stream = new BatchStream();
    private final OpenAppendStreams registry;

    // Guarded by this.
    private int outstanding;
    /** Reads owed to the client, held back while the call was not ready to send. */
    private int deferredReads;
    /** How the stream ends once nothing is outstanding: OK after the half-close, or the first refusal. */
    private Status ending;
    private boolean ended;

    AppendStreamCall(Ledger ledger, RingRoomWait ringRoom, ServerCallStreamObserver<EncodedMessage> call,
                     ReplyCoalescer replies, OpenAppendStreams registry) {
        this.ledger = ledger;
        this.registry = registry;
        this.ringRoom = ringRoom;
        this.call = call;
        this.replies = replies;
        this.loop = ReplyCoalescer.currentLoop();
        call.disableAutoRequest();
        call.setOnCancelHandler(this::cancelled);
        call.setOnReadyHandler(this::ready);
        call.setOnCloseHandler(this::closed);
        call.request(BATCHES_IN_FLIGHT);
        registry.add(this);
    }

    /** The call is over, however it ended (also when closed before this saw a request, as a malformed one is). */
    private synchronized void closed() {
        ended = true;
        registry.remove(this);
    }

    /** The server is shutting down: answer the batches in hand, read no more, then end with UNAVAILABLE. */
    synchronized void shutdown() {
        if (ended || ending != null || call.isCancelled()) {
            return; // already ending: after a half-close, the answers in hand and OK are the honest end
        }
        ending = Status.UNAVAILABLE.withDescription("the server is shutting down; every batch answered on this "
            + "stream is stored, later ones were not read: send them again to a server that is up");
        try {
            endIfDrained();
        } catch (IllegalStateException closedAlready) {
            // gRPC closed the call before this saw it end (a malformed request): nothing to answer.
            ended = true;
            registry.remove(this);
        }
    }

    @Override
    public void onNext(WireBatch batch) {
        synchronized (this) {
            if (ended || refused()) {
                return; // read after the stream began to end with a refusal: never stored, never answered
            }
            outstanding++;
        }
        ringRoom.publish(loop, () -> publish(batch), () -> end(Statuses.of(ledger.ringFull()).getStatus()));
    }

    /** One attempt to publish a batch: false when the ring has no room for it now. */
    private boolean publish(WireBatch batch) {
        synchronized (this) {
            if (ended || refused()) { // it waited for room while the stream was refused or cancelled
                outstanding--;
                endIfDrained();
                return true;
            }
        }
        try {
            return ledger.tryAppendBatch(batch, stream, new Reply());
        } catch (LedgerException refused) {
            end(Statuses.of(refused).getStatus());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure serving AppendStream", e);
            end(Statuses.internal(e).getStatus());
        }
        return true;
    }

    /** Whether the stream is to end with an error: then no later batch of it is stored. */
    private boolean refused() {
        return ending != null && !ending.isOk();
    }

    @Override
    public synchronized void onCompleted() {
        if (ending == null) {
            ending = Status.OK;
        }
        endIfDrained();
    }

    @Override
    public void onError(Throwable t) {
        cancelled(); // the client cancelled: gRPC reports it here and to the cancel handler
    }

    private synchronized void cancelled() {
        ended = true;
        registry.remove(this);
    }

    private synchronized void ready() {
        if (deferredReads > 0 && !ended && ending == null && call.isReady()) {
            call.request(deferredReads);
            deferredReads = 0;
        }
    }

    private synchronized void answer(EncodedMessage response) {
        outstanding--;
        if (!ended) {
            call.onNext(response);
            if (ending == null) {
                if (call.isReady()) {
                    call.request(1);
                } else {
                    deferredReads++;
                }
            }
        }
        endIfDrained();
    }

    /** One batch was refused, or never entered the ledger: the stream ends with {@code status}. */
    private synchronized void end(Status status) {
        outstanding--;
        if (ending == null || ending.isOk()) {
            ending = status;
        }
        endIfDrained();
    }

    private void endIfDrained() {
        if (outstanding > 0 || ending == null || ended) {
            return;
        }
        ended = true;
        registry.remove(this);
        if (ending.isOk()) {
            call.onCompleted();
        } else {
            call.onError(new StatusRuntimeException(ending));
        }
    }

    /** The ledger's answer to one batch, handed to the call's event loop in ring order. */
    private final class Reply implements BatchAppendCallback {
        @Override
        public void onAppended(AppendedBatch acks) {
            replies.reply(loop, () -> answer(BatchAcks.of(acks)));
        }

        @Override
        public void onRejected(LedgerException reason) {
            replies.reply(loop, () -> end(Statuses.of(reason).getStatus()));
        }
    }
}
