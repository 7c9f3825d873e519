package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntSupplier;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, fan-out at scale: 1,000 Watch streams on one context, and 1,000 on 1,000
 * contexts, each time beside one watcher that reads nothing. Every live watcher gets every
 * entry exactly once, in order; the stalled one is handed no more than its flow-control
 * window allows; cancelling it frees it.
 *
 * <p>The 1,000 live streams share {@value #CHANNELS} channels (HTTP/2 connections, 250
 * streams each). grpc-java's server advertises no limit on concurrent streams per
 * connection (NettyServerBuilder's maxConcurrentCallsPerConnection defaults to
 * Integer.MAX_VALUE), so the server needs no setting for that. The stalled watcher has a
 * connection of its own: the bytes it leaves unread also count against its connection's
 * HTTP/2 window, which would stall every other stream on a shared connection (HTTP/2
 * flow control, not the ledger).
 */
@ParameterizedClass
@EnumSource(value = Transport.class, names = {"IN_PROCESS", "NETTY"})
class WatchFanOutAtScaleTest {
    private static final int WATCHERS = 1000;
    private static final int CHANNELS = 4;
    private static final int PAYLOAD = 1024;
    /** The stalled client's fixed HTTP/2 window (stream and connection): it never grows, as it reads nothing. */
    private static final int STALLED_WINDOW = 64 * 1024;
    /** grpc-java's default: a stream is ready while fewer bytes than this wait to be written. The server keeps it. */
    private static final int ON_READY_THRESHOLD = 32 * 1024;
    /** gRPC's length-prefixed message framing: 1 flag byte and a 4-byte length before each message. */
    private static final int GRPC_MESSAGE_PREFIX = 5;

    @Parameter
    Transport transport;

    @Test
    void aThousandWatchersOfOneContextEachGetEveryEntryInOrderWhileAStalledOneIsHeldToItsWindow() throws Exception {
        int n = 300;
        SentWatchMessages sent = new SentWatchMessages();
        try (LedgerFixture f = LedgerFixture.start(transport, ServerSettings.defaults(), sent)) {
            WatchStream stalled = watchStalled(f, sent, "ctx");
            List<WatchStream> live = new ArrayList<>(WATCHERS);
            List<ManagedChannel> channels = channels(f);
            for (int w = 0; w < WATCHERS; w++) {
                live.add(watch(channels.get(w % CHANNELS), "ctx"));
            }
            awaitWatchersOpen(f, WATCHERS + 1);

            List<Entry> appended = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                appended.add(append(f.blocking(), "ctx", "k", bytes(PAYLOAD, i), Map.of()));
            }
            Expected expected = Expected.of(appended);
            awaitEverything(live, w -> expected);

            assertHeldToItsWindow(stalled, () -> sent.count(0), appended);
            stalledIsFreedWhenCancelled(f, stalled, live);
        }
    }

    @Test
    void aThousandWatchersOfAThousandContextsEachGetEveryEntryOfTheirsInOrderWhileAStalledOneIsHeldToItsWindow()
        throws Exception {
        int rounds = 3;
        int stalledEvery = 10;
        SentWatchMessages sent = new SentWatchMessages();
        try (LedgerFixture f = LedgerFixture.start(transport, ServerSettings.defaults(), sent)) {
            WatchStream stalled = watchStalled(f, sent, "stalled");
            List<WatchStream> live = new ArrayList<>(WATCHERS);
            List<ManagedChannel> channels = channels(f);
            for (int w = 0; w < WATCHERS; w++) {
                live.add(watch(channels.get(w % CHANNELS), "ctx-" + w));
            }
            awaitWatchersOpen(f, WATCHERS + 1);

            // Round-robin over the 1,000 contexts, and every tenth append to the stalled
            // watcher's context too, so that its window fills (it gets 300 entries).
            Map<String, List<Entry>> appended = new HashMap<>();
            for (int i = 0; i < rounds * WATCHERS; i++) {
                String contextId = "ctx-" + (i % WATCHERS);
                appended.computeIfAbsent(contextId, c -> new ArrayList<>())
                    .add(append(f.blocking(), contextId, "k", bytes(PAYLOAD, i), Map.of()));
                if (i % stalledEvery == 0) {
                    appended.computeIfAbsent("stalled", c -> new ArrayList<>())
                        .add(append(f.blocking(), "stalled", "k", bytes(PAYLOAD, -i), Map.of()));
                }
            }
            Map<WatchStream, Expected> expected = new HashMap<>();
            for (int w = 0; w < WATCHERS; w++) {
                expected.put(live.get(w), Expected.of(appended.get("ctx-" + w)));
            }
            awaitEverything(live, expected::get);

            assertHeldToItsWindow(stalled, () -> sent.count(0), appended.get("stalled"));
            stalledIsFreedWhenCancelled(f, stalled, live);
        }
    }

    /** Opens the stalled watch first, on its own connection, so that it is the server's Watch call 0. */
    private static WatchStream watchStalled(LedgerFixture f, SentWatchMessages sent, String contextId)
        throws InterruptedException {
        WatchStream stalled = new WatchStream(0);
        ContextServiceGrpc.newStub(f.openChannelWithFixedWindow(STALLED_WINDOW))
            .watch(WatchRequest.newBuilder().setContextId(contextId).build(), stalled);
        await("the stalled watch reached the server", LedgerFixture.DEADLINE_SECONDS, () -> sent.watchCalls() == 1);
        return stalled;
    }

    private static List<ManagedChannel> channels(LedgerFixture f) {
        List<ManagedChannel> channels = new ArrayList<>(CHANNELS);
        for (int c = 0; c < CHANNELS; c++) {
            channels.add(f.openStockChannel());
        }
        return channels;
    }

    private static WatchStream watch(ManagedChannel channel, String contextId) {
        WatchStream w = new WatchStream(-1);
        ContextServiceGrpc.newStub(channel).watch(WatchRequest.newBuilder().setContextId(contextId).build(), w);
        return w;
    }

    /**
     * The stalled watcher read nothing. In-process, the server may hand over only what the
     * client requested: nothing. Over HTTP/2, the server hands a message to gRPC only while
     * its stream is ready, that is while fewer than {@link #ON_READY_THRESHOLD} bytes wait
     * in the server to be written; and no more than the client's window,
     * {@link #STALLED_WINDOW}, can have left for the client, which never returns any of it.
     * So before the server hands over message k + 1, k messages of at least {@code m} bytes
     * each fit in window + threshold: at most (window + threshold) / m + 1 are handed over,
     * and of those at most threshold / m + 1 are in server memory. The count is read once
     * the window is full (at least window / m messages handed over), so that a cursor still
     * catching up cannot pass the check and overrun afterwards unseen.
     */
    private void assertHeldToItsWindow(WatchStream stalled, IntSupplier handedOver, List<Entry> appended)
        throws InterruptedException {
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (Entry e : appended) {
            int m = GRPC_MESSAGE_PREFIX + WatchEvent.newBuilder().setEntry(e).build().getSerializedSize();
            smallest = Math.min(smallest, m);
            largest = Math.max(largest, m);
        }
        assertTrue((long) appended.size() * smallest > STALLED_WINDOW + ON_READY_THRESHOLD,
            "the test appends enough to the stalled watcher's context to fill its window");
        boolean http2 = transport == Transport.NETTY;
        int windowFull = http2 ? STALLED_WINDOW / largest : 0;
        await("the server filled the stalled watcher's window (" + windowFull + " messages)",
            LedgerFixture.DEADLINE_SECONDS, () -> handedOver.getAsInt() >= windowFull);
        int bound = http2 ? (STALLED_WINDOW + ON_READY_THRESHOLD) / smallest + 1 : 0;
        int handed = handedOver.getAsInt();
        assertTrue(handed <= bound, handed + " messages of " + smallest + " bytes or more were handed to gRPC for "
            + "a watcher that read nothing; flow control allows " + bound);
        assertEquals(0, stalled.received(), "the stalled watcher asked for nothing and got nothing");
    }

    private static void stalledIsFreedWhenCancelled(LedgerFixture f, WatchStream stalled, List<WatchStream> live)
        throws Exception {
        stalled.cancel();
        awaitWatchersOpen(f, WATCHERS);
        for (WatchStream w : live) {
            w.cancel();
        }
        awaitWatchersOpen(f, 0);
        assertEquals(Status.Code.CANCELLED, stalled.awaitEnd().getCode());
    }

    /**
     * Waits, within one deadline for all, until each watcher received as many entries as
     * {@code expected} says or its stream ended; then checks each got exactly those, in order.
     */
    private static void awaitEverything(List<WatchStream> live, Function<WatchStream, Expected> expected)
        throws InterruptedException {
        await("every live watcher received every entry", LedgerFixture.DEADLINE_SECONDS,
            () -> live.stream().allMatch(w -> w.received() >= expected.apply(w).count() || w.end != null));
        for (WatchStream w : live) {
            w.assertReceived(expected.apply(w));
        }
    }

    private static void awaitWatchersOpen(LedgerFixture f, int n) throws InterruptedException {
        await(n + " watches open on the server (now " + f.server.ledger().stats().watchersOpen() + ")",
            LedgerFixture.DEADLINE_SECONDS, () -> f.server.ledger().stats().watchersOpen() == n);
    }

    /** What a watcher must receive: the count, and a digest of the ids in sequence order. */
    private record Expected(int count, long idDigest) {
        static Expected of(List<Entry> appended) {
            long digest = 0;
            for (int i = 0; i < appended.size(); i++) {
                Entry e = appended.get(i);
                assertEquals(i + 1, e.getSequence(), "appends to one context were numbered 1, 2, ...");
                digest = IdDigest.next(digest, e.getId());
            }
            return new Expected(appended.size(), digest);
        }
    }

    private static final class IdDigest {
        private IdDigest() {
        }

        static long next(long digest, String id) {
            return digest * 1_000_003L + id.hashCode();
        }
    }

    /**
     * One watch that keeps no entries (1,000 streams of hundreds of KiB each would not fit a
     * test's heap): it checks each sequence is the previous one + 1 as it arrives, and
     * folds the ids into a digest. gRPC calls one stream's observer from one thread at a
     * time; the test thread reads the volatile fields.
     */
    private static final class WatchStream implements ClientResponseObserver<WatchRequest, WatchEvent> {
        private final int initialRequest;
        private volatile ClientCallStreamObserver<WatchRequest> call;
        private volatile int received;
        private volatile long lastSequence;
        private volatile long idDigest;
        private volatile String disorder;
        private volatile Status end;

        /** @param initialRequest messages to ask for before pausing; negative for automatic flow control */
        WatchStream(int initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            call = requestStream;
            if (initialRequest >= 0) {
                requestStream.disableAutoRequestWithInitial(initialRequest);
            }
        }

        @Override
        public void onNext(WatchEvent event) {
            Entry e = event.getEntry();
            if (e.getSequence() != lastSequence + 1 && disorder == null) {
                disorder = "sequence " + e.getSequence() + " after " + lastSequence;
            }
            lastSequence = e.getSequence();
            idDigest = IdDigest.next(idDigest, e.getId());
            received = received + 1;
        }

        @Override
        public void onError(Throwable t) {
            end = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
            end = Status.OK;
        }

        int received() {
            return received;
        }

        void cancel() {
            call.cancel("the test is over", null);
        }

        /** Checks it received exactly the entries of {@code expected}, each once, in order. */
        void assertReceived(Expected expected) {
            assertNull(end, "the stream is still open");
            assertNull(disorder, "entries arrive once each, in ascending order");
            assertEquals(expected.count(), received);
            assertEquals(expected.idDigest(), idDigest, "the watcher received the appended entries");
        }

        Status awaitEnd() throws InterruptedException {
            await("the stream ended", LedgerFixture.DEADLINE_SECONDS, () -> end != null);
            return end;
        }
    }
}
