package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.range;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LedgerServer#close()} (what SIGTERM runs): open Watch streams end with UNAVAILABLE
 * naming the sequence to resume after,
 * in-flight appends get an answer, and calls after shutdown fail with UNAVAILABLE.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class GracefulShutdownTest extends ServedOverBothTransports {
    private static final long GRACE_MILLIS = 1_000;
    /** LedgerServer's bounded wait for cut streams after the grace, and slack for a loaded machine. */
    private static final long MARGIN_MILLIS = 2_000 + 3_000;

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withLimits(ServerLimits.defaults().withShutdownGraceMillis(GRACE_MILLIS));
    }

    /**
     * Watchers that read nothing (their windows full of unread entries) do not hold shutdown
     * past the grace; every Watch and WatchBatches stream, stalled or reading, ends with
     * UNAVAILABLE, never OK, and one that ended with the server's message names the last
     * sequence its client received.
     */
    @Test
    void stalledWatchersDoNotHoldShutdownPastTheGraceAndEveryWatchEndsUnavailable() throws Exception {
        ManagedChannel stalledChannel = fixture.openChannelWithFixedWindow(64 * 1024);
        ContextServiceGrpc.ContextServiceStub stalledStub = ContextServiceGrpc.newStub(stalledChannel);
        List<WatchRecorder> watches = new ArrayList<>();
        List<WatchBatchRecorder> batchWatches = new ArrayList<>();
        WatchRequest request = WatchRequest.newBuilder().setContextId("ctx").build();
        for (int i = 0; i < 20; i++) {
            WatchRecorder w = WatchRecorder.manual(i == 0 ? 1 : 0);
            stalledStub.watch(request, w);
            watches.add(w);
            WatchBatchRecorder b = WatchBatchRecorder.manual(0);
            stalledStub.watchBatches(request, b);
            batchWatches.add(b);
        }
        WatchRecorder reading = WatchRecorder.automatic();
        fixture.async().watch(request, reading);
        watches.add(reading);
        WatchBatchRecorder readingBatches = WatchBatchRecorder.automatic();
        fixture.async().watchBatches(request, readingBatches);
        batchWatches.add(readingBatches);
        ContractSupport.await("every watch registered", 10, () -> fixture.server.ledger().stats().watchersOpen() == 42);
        for (int i = 0; i < 64; i++) {
            ContractSupport.append(fixture.blocking(), "ctx", "k", ContractSupport.bytes(16 * 1024, i), Map.of());
        }
        reading.awaitEntries(64);
        readingBatches.awaitEntries(64);

        long start = System.nanoTime();
        CompletableFuture.runAsync(fixture.server::close).get(30, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < GRACE_MILLIS + MARGIN_MILLIS, "shutdown took " + tookMillis + " ms");

        // A client sees how its stream ended once it reads what came before the end.
        watches.forEach(w -> w.request(Integer.MAX_VALUE));
        batchWatches.forEach(b -> b.request(Integer.MAX_VALUE));
        for (WatchRecorder w : watches) {
            assertEndedHonestly(w.awaitEnd(), w.sequences());
        }
        for (WatchBatchRecorder b : batchWatches) {
            assertEndedHonestly(b.awaitEnd(), sequences(b.entries()));
        }
        assertEquals("the server is shutting down; resume after sequence 64", reading.awaitEnd().getDescription());
    }

    /**
     * UNAVAILABLE, or for a stream cut after the grace over HTTP/2, CANCELLED from the reset
     * (grpc-java's server resets a cut stream with CANCEL, which its client reads as
     * CANCELLED): never OK, so the client resumes after the last sequence it received.
     */
    private void assertEndedHonestly(Status end, List<Long> received) {
        boolean cut = transport.overNetty() && end.getCode() == Status.Code.CANCELLED
            && String.valueOf(end.getDescription()).contains("RST_STREAM");
        assertTrue(end.getCode() == Status.Code.UNAVAILABLE || cut, end.toString());
        assertEquals(oneTo(received.size()), received, "a gap-free prefix");
        String description = end.getDescription() == null ? "" : end.getDescription();
        java.util.regex.Matcher resume = java.util.regex.Pattern.compile("resume after sequence (\\d+)")
            .matcher(description);
        if (resume.find()) {
            assertEquals(received.size(), Long.parseLong(resume.group(1)), "resumes right after what it received");
        }
    }

    /** An AppendStream the client keeps open gets the answers to the batches it sent, then UNAVAILABLE. */
    @Test
    void anOpenAppendStreamGetsItsAnswersThenEndsUnavailableOnShutdown() throws Exception {
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        for (int i = 0; i < 3; i++) {
            stream.send(AppendBatchContractTest.batchOf("ctx", "b" + i, 10));
        }
        assertEquals(3, stream.awaitItems(3).size());
        CompletableFuture.runAsync(fixture.server::close).get(30, TimeUnit.SECONDS);
        Status end = stream.awaitEnd();
        assertEquals(Status.Code.UNAVAILABLE, end.getCode(), end.toString());
        assertTrue(end.getDescription().contains("shutting down"), end.getDescription());
        assertEquals(3, stream.responses().size());
        assertEquals(30, stream.responses().stream().mapToInt(r -> r.getAcksCount()).sum());
    }
    @Test
    void closeEndsOpenWatchesWithUnavailableAnswersAppendsInFlightAndRefusesNewCalls() throws Exception {
        appendMany(fixture, "ctx", 10);
        WatchRecorder watcher = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("ctx").build(), watcher);
        watcher.awaitEntries(10);

        List<CompletableFuture<Object>> appends = new ArrayList<>();
        ContextServiceGrpc.ContextServiceStub async = fixture.async().withDeadlineAfter(10, TimeUnit.SECONDS);
        for (int i = 0; i < 200; i++) {
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            async.append(AppendRequest.newBuilder().setContextId("ctx").setKey("k")
                .setPayload(ByteString.copyFromUtf8("in flight " + i)).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(AppendResponse value) {
                        outcome.complete(value.getEntry().getSequence());
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        outcome.complete(Status.INTERNAL.withDescription("completed without a response"));
                    }
                });
            appends.add(outcome);
        }

        CompletableFuture.runAsync(fixture.server::close).get(30, TimeUnit.SECONDS);

        Status end = watcher.awaitEnd();
        assertEquals(Status.Code.UNAVAILABLE, end.getCode(), "the watch ends with UNAVAILABLE, not OK: " + end);
        List<Long> stored = new ArrayList<>();
        for (CompletableFuture<Object> a : appends) {
            Object outcome = a.get(10, TimeUnit.SECONDS); // an answer, never a hang
            if (outcome instanceof Long sequence) {
                stored.add(sequence);
            } else {
                assertEquals(Status.Code.UNAVAILABLE, ((Status) outcome).getCode(), outcome.toString());
            }
        }
        stored.sort(null);
        assertEquals(range(11, 10 + stored.size()), stored, "the appends that succeeded left no gap");
        List<Long> watched = sequences(watcher.entries());
        assertEquals(oneTo(watched.size()), watched, "the watch saw a gap-free prefix");
        assertEquals("the server is shutting down; resume after sequence " + watched.size(), end.getDescription());

        assertRejected(Status.Code.UNAVAILABLE, "", () -> fixture.blocking().append(
            AppendRequest.newBuilder().setContextId("ctx").build()));
        assertRejected(Status.Code.UNAVAILABLE, "", () -> fixture.blocking().get(
            GetRequest.newBuilder().setContextId("ctx").build()));
        var fresh = ContextServiceGrpc.newBlockingStub(fixture.openStockChannel())
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertRejected(Status.Code.UNAVAILABLE, "",
            () -> fresh.get(GetRequest.newBuilder().setContextId("ctx").build()));
        assertRejected(Status.Code.UNAVAILABLE, "",
            () -> fresh.watch(WatchRequest.newBuilder().setContextId("ctx").build()).hasNext());
    }
}
