package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.ContextServiceGrpc.ContextServiceBlockingStub;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Extension: durability and restart", held against the server main in child
 * processes on one data directory: killed with SIGKILL under load from many clients, or
 * stopped with SIGTERM, a restarted server gives back every acknowledged entry unchanged
 * (compared with the clients' own log of acknowledgements), with no gap, continues each
 * context at latest + 1, and replays it all to a Watch from 0; and two servers never share
 * a data directory.
 */
class CrashRecoveryTest {
    private static final int CLIENT_THREADS = 8;
    /** How long the clients append before the server is killed or stopped. */
    private static final long LOAD_MILLIS = 1_000;
    /** The smallest segment the server takes, so that the log soon spans several. */
    private static final int SEGMENT_BYTES = 8 << 20;
    /** The least payload the three kill rounds append, all told: more than a segment holds. */
    private static final long ROUNDS_PAYLOAD_BYTES = SEGMENT_BYTES + (1 << 20);

    @TempDir
    Path tempDir;

    private final List<LedgerProcess> children = new ArrayList<>();

    @AfterEach
    void killEveryChild() {
        for (LedgerProcess child : children) {
            child.close();
        }
    }

    @Test
    void killNineUnderMixedLoadThreeRoundsInARowLosesNoAcknowledgedEntry() throws Exception {
        AcknowledgementLog log = new AcknowledgementLog();
        LedgerProcess server = start("interval");
        server.awaitListening();
        for (int round = 1; round <= 3; round++) {
            loadThenKill(server, log, round, round < 3 ? 0 : ROUNDS_PAYLOAD_BYTES - log.payloadBytes());
            server = start("interval");
            verifyRecovered(server, log, "round " + round);
        }
        assertTrue(log.payloadBytes() >= ROUNDS_PAYLOAD_BYTES, "the log outgrew its first segment");
    }

    @Test
    void withFsyncAlwaysKillNineUnderMixedLoadLosesNoAcknowledgedEntry() throws Exception {
        AcknowledgementLog log = new AcknowledgementLog();
        LedgerProcess server = start("always");
        server.awaitListening();
        assertTrue(server.output().stream().anyMatch(l -> l.contains("fsync always")), server.outputText());
        loadThenKill(server, log, 1, 0);
        server = start("always");
        verifyRecovered(server, log, "fsync always");
    }

    @Test
    void sigtermUnderLoadStopsCleanlyAndARestartKeepsEverything() throws Exception {
        AcknowledgementLog log = new AcknowledgementLog();
        LedgerProcess server = start("interval");
        server.awaitListening();
        MixedAppendLoad load = MixedAppendLoad.start(log, CLIENT_THREADS, 7, stubs(server));
        awaitUnderWay(load, log, server, LOAD_MILLIS / 2, 0);

        long stopping = System.nanoTime();
        int exit = server.terminate();
        long stopMillis = (System.nanoTime() - stopping) / 1_000_000;
        load.awaitEnd(LedgerProcess.EXIT_SECONDS);
        assertEquals(LedgerProcess.EXIT_ON_SIGTERM, exit, "the JVM exits as SIGTERM asks" + server.outputText());
        assertTrue(server.output().stream().anyMatch(l -> l.endsWith("converge-ledger: stopped")),
            "shutdown ran to its end" + server.outputText());
        assertTrue(load.endings().stream().allMatch(s -> s.getCode() == Status.Code.UNAVAILABLE),
            () -> "calls after the stop are refused as UNAVAILABLE: " + load.endings());
        System.out.printf("SIGTERM: %d acks (%d unary, %d batched) before the stop; exit %d after %d ms%n",
            log.acks(), load.unaryAcks(), load.batchAcks(), exit, stopMillis);

        LedgerProcess restarted = start("interval");
        int adopted = verifyRecovered(restarted, log, "after SIGTERM");
        assertEquals(0, adopted, "a graceful stop answers every entry it stores");
        assertFalse(restarted.output().stream().anyMatch(l -> l.contains("recovery:")),
            "nothing is torn or damaged after a graceful stop" + restarted.outputText());
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryRefusesToStartAndTheFirstServesOn() throws Exception {
        LedgerProcess first = start("interval");
        first.awaitListening();
        assertEquals(1, append(first, "shared", "before").getSequence());

        LedgerProcess second = start("interval");
        int exit = second.awaitExit();
        assertEquals(1, exit, "a start that fails on its data directory exits 1" + second.outputText());
        assertTrue(second.output().stream().anyMatch(l -> l.contains("converge-ledger: cannot start:")
                && l.contains("in use") && l.contains(dataDir().toString())),
            "the refusal says the directory is in use, and names it" + second.outputText());

        assertTrue(first.isAlive(), "the first server runs on");
        assertEquals(2, append(first, "shared", "after").getSequence());
        assertEquals(2, first.blocking().get(GetRequest.newBuilder().setContextId("shared").build())
            .getEntriesCount());
    }

    /**
     * Runs the mixed load against {@code server} for {@link #LOAD_MILLIS} and until
     * {@code payloadBytes} more were acknowledged, checks that every client is still being
     * answered, and kills the server with SIGKILL mid-load.
     */
    private void loadThenKill(LedgerProcess server, AcknowledgementLog log, int round, long payloadBytes)
        throws Exception {
        long acksBefore = log.acks();
        long bytesBefore = log.payloadBytes();
        MixedAppendLoad load = MixedAppendLoad.start(log, CLIENT_THREADS, round, stubs(server));
        long loadMillis = awaitUnderWay(load, log, server, LOAD_MILLIS, payloadBytes);
        server.kill();
        load.awaitEnd(LedgerProcess.EXIT_SECONDS);
        assertEquals(CLIENT_THREADS, load.endings().size(), "every client was cut off mid-call by the kill");
        System.out.printf("round %d: %d acks (%d unary, %d batched; %d KiB of payload) in %d ms, then SIGKILL;"
                + " calls ended with %s%n", round, log.acks() - acksBefore, load.unaryAcks(), load.batchAcks(),
            (log.payloadBytes() - bytesBefore) >> 10, loadMillis,
            load.endings().stream().map(s -> s.getCode().name()).distinct().toList());
    }

    /**
     * Lets {@code load} run for at least {@code millis}, until both kinds of append were
     * acknowledged a fair number of times and {@code payloadBytes} more were (a cold JVM on
     * a busy machine may need longer), then checks that no call failed: every client is
     * mid-load.
     *
     * @return how long the load ran
     */
    private static long awaitUnderWay(MixedAppendLoad load, AcknowledgementLog log, LedgerProcess server, long millis,
                                      long payloadBytes) throws Exception {
        long started = System.nanoTime();
        long bytesBefore = log.payloadBytes();
        ContractSupport.await("both kinds of append are acknowledged, " + payloadBytes + " payload bytes in all", 20,
            () -> !load.allRunning() || load.unaryAcks() >= 5 && load.batchAcks() >= 100
                && log.payloadBytes() - bytesBefore >= payloadBytes);
        long left = millis - (System.nanoTime() - started) / 1_000_000;
        if (left > 0) {
            Thread.sleep(left);
        }
        assertTrue(load.allRunning(), () -> "no call failed while the server ran: " + load.endings()
            + server.outputText());
        return (System.nanoTime() - started) / 1_000_000;
    }

    /**
     * Holds the restarted {@code server} to {@code log}: health SERVING; every context's
     * entries are sequences 1..n, every acknowledged entry among them unchanged, and every
     * other one a request cut off unanswered; ids unique across every round; what the
     * server says it recovered is exactly that; then, per context, a Watch from 0 replays
     * it all in order and sees the next append, which continues at latest + 1.
     *
     * @return how many entries were stored without having been acknowledged
     */
    private int verifyRecovered(LedgerProcess server, AcknowledgementLog log, String what) throws Exception {
        long starting = System.nanoTime();
        server.awaitListening();
        long startMillis = (System.nanoTime() - starting) / 1_000_000;
        assertEquals(ServingStatus.SERVING, server.health(""));
        assertEquals(ServingStatus.SERVING, server.health(ContextServiceGrpc.SERVICE_NAME));

        long verifying = System.nanoTime();
        Map<String, List<Entry>> stored = new TreeMap<>();
        int adopted = 0;
        for (String contextId : log.contexts()) {
            List<Entry> entries = readAll(server.blocking(), contextId);
            stored.put(contextId, entries);
            adopted += log.reconcile(contextId, entries);
        }
        int lost = log.forgetUnanswered();
        int total = AcknowledgementLog.assertUniqueIds(stored);
        assertEquals(log.entries(), total);
        long[] recovered = server.recovered();
        assertEquals(total, recovered[0], "the server recovered exactly what it holds" + server.outputText());
        assertEquals(stored.size(), recovered[1], "and no context besides" + server.outputText());

        long watching = System.nanoTime();
        Map<String, WatchedEntries> watches = new TreeMap<>();
        try {
            for (String contextId : stored.keySet()) { // every context's replay at once
                WatchedEntries watch = new WatchedEntries();
                watches.put(contextId, watch);
                server.async().watch(WatchRequest.newBuilder().setContextId(contextId).setFromSequence(0).build(), watch);
            }
            for (var c : stored.entrySet()) {
                assertWatchReplaysAndContinues(server, log, c.getKey(), c.getValue(), watches.get(c.getKey()));
            }
        } finally {
            watches.values().forEach(WatchedEntries::cancel);
        }
        System.out.printf("%s: restarted and recovered %d entries of %d contexts (%d stored unanswered, %d unanswered"
                + " lost) in %d ms after the start; read and compared in %d ms, watched in %d ms%s%n", what, total,
            stored.size(), adopted, lost, startMillis, (watching - verifying) / 1_000_000,
            (System.nanoTime() - watching) / 1_000_000,
            server.output().stream().filter(l -> l.contains("recovery:")).map(l -> "\n  " + l)
                .reduce("", String::concat));
        System.out.println("  segment files: " + segmentFiles());
        return adopted;
    }

    /**
     * {@code watch}, a Watch from 0, replays {@code stored} in order; an append continues at
     * latest + 1 and reaches the Watch live.
     */
    private static void assertWatchReplaysAndContinues(LedgerProcess server, AcknowledgementLog log, String contextId,
                                                       List<Entry> stored, WatchedEntries watch) throws Exception {
        assertEquals(stored, watch.awaitEntries(stored.size()), contextId + ": a Watch from 0 replays everything");
        AppendRequest next = AppendRequest.newBuilder()
            .setContextId(contextId)
            .setKey("after-restart")
            .setPayload(ByteString.copyFrom("next", StandardCharsets.UTF_8))
            .putMetadata(AcknowledgementLog.TAG, log.newTag())
            .build();
        log.sent(next);
        Entry appended = server.blocking().append(next).getEntry();
        log.acknowledged(next, appended);
        assertEquals(stored.size() + 1, appended.getSequence(), contextId + ": appends continue at latest + 1");
        List<Entry> watched = watch.awaitEntries(stored.size() + 1);
        assertEquals(stored.size() + 1, watched.size(), contextId + ": no duplicate at the replay's end");
        assertEquals(appended, ContractSupport.last(watched), contextId + ": the Watch goes on live");
    }

    /**
     * The client end of one Watch, like {@link WatchRecorder} but waking its waiter only once
     * the awaited count arrived, not at every entry: a replay of tens of thousands of entries
     * then costs no thread switch per entry. Thread-safe.
     */
    private static final class WatchedEntries implements ClientResponseObserver<WatchRequest, WatchEvent> {
        private final List<Entry> entries = new ArrayList<>();
        private final CompletableFuture<Status> end = new CompletableFuture<>();
        private volatile ClientCallStreamObserver<WatchRequest> call;
        private int awaited = Integer.MAX_VALUE;

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public synchronized void onNext(WatchEvent event) {
            entries.add(event.getEntry());
            if (entries.size() == awaited) {
                notifyAll();
            }
        }

        @Override
        public synchronized void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
            notifyAll();
        }

        @Override
        public synchronized void onCompleted() {
            end.complete(Status.OK);
            notifyAll();
        }

        /** Waits until at least {@code n} entries arrived; fails when the stream ended or time ran out first. */
        synchronized List<Entry> awaitEntries(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(StreamRecorder.WAIT_SECONDS);
            awaited = n;
            while (entries.size() < n && !end.isDone()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            awaited = Integer.MAX_VALUE;
            assertTrue(entries.size() >= n, () -> "expected " + n + " entries within " + StreamRecorder.WAIT_SECONDS
                + " s, got " + entries.size() + (end.isDone() ? "; the stream ended with " + end.getNow(null) : ""));
            return new ArrayList<>(entries);
        }

        void cancel() {
            call.cancel("the test is done with the watch", null);
        }
    }

    /** Every entry of the context, paging on with after_sequence while has_more is set. */
    private static List<Entry> readAll(ContextServiceBlockingStub stub, String contextId) {
        List<Entry> all = new ArrayList<>();
        long after = 0;
        while (true) {
            GetResponse r = stub.get(GetRequest.newBuilder().setContextId(contextId).setAfterSequence(after).build());
            all.addAll(r.getEntriesList());
            if (!r.getHasMore()) {
                assertEquals(r.getLatestSequence(), all.size(), contextId + ": latest_sequence counts every entry");
                return all;
            }
            assertFalse(r.getEntriesList().isEmpty(), "has_more with an empty page would never end");
            after = ContractSupport.last(r.getEntriesList()).getSequence();
        }
    }

    private static Entry append(LedgerProcess server, String contextId, String payload) throws InterruptedException {
        return server.blocking().append(AppendRequest.newBuilder().setContextId(contextId)
            .setPayload(ByteString.copyFrom(payload, StandardCharsets.UTF_8)).build()).getEntry();
    }

    /** Fresh blocking stubs over the server's one channel, each with the standard deadline. */
    private static Supplier<ContextServiceBlockingStub> stubs(LedgerProcess server) throws InterruptedException {
        ManagedChannel channel = server.channel();
        return () -> ContextServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private LedgerProcess start(String fsync) throws IOException {
        LedgerProcess child = LedgerProcess.start(dataDir(), Map.of(
            "LEDGER_FSYNC", fsync,
            "LEDGER_SEGMENT_BYTES", Integer.toString(SEGMENT_BYTES)));
        children.add(child);
        return child;
    }

    private Path dataDir() {
        return tempDir.resolve("data");
    }

    private List<String> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dataDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("segment-\\d+\\.log")).sorted()
                .toList();
        }
    }
}
