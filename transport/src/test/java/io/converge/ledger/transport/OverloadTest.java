package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.transport.metrics.RingWaits;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.AppendBatchContractTest.batchOf;
import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.assertStatus;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload: with the ring full (the sequencer held by a stalled clock), appends wait at
 * most the configured time and then answer RESOURCE_EXHAUSTED saying why; none is lost
 * without a status; Get and health keep answering; an AppendStream reads no further than
 * its batches in flight.
 */
@StandaloneOnly("stalls the standalone ring's Sequencer through the clock injected with LedgerConfig; in cluster mode the"
    + " ring's first stage is the LogForwarder and entry times are cluster time, so that clock is never read")
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class OverloadTest extends ServedOverBothTransports {
    private static final int RING = 64;
    private static final long WAIT_MS = 50;

    private final StallableClock clock = new StallableClock();

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withLedger(LedgerConfig.defaults().withRingSize(RING)
            .withRingFullWaitNanos(TimeUnit.MILLISECONDS.toNanos(WAIT_MS)).withEpochNanos(clock));
    }

    @AfterEach
    void releaseTheSequencer() {
        clock.release();
    }

    /** Holds the sequencer: one append takes it into a ring batch whose clock read waits. */
    private CompletableFuture<AppendResponse> stallTheSequencer() throws InterruptedException {
        clock.stall();
        CompletableFuture<AppendResponse> first = appendAsync("ctx", 0);
        clock.awaitHeld();
        return first;
    }

    private CompletableFuture<AppendResponse> appendAsync(String contextId, int i) {
        CompletableFuture<AppendResponse> f = new CompletableFuture<>();
        fixture.async().withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS).append(
            AppendRequest.newBuilder().setContextId(contextId).setKey("k").setPayload(ByteString.copyFrom(bytes(64, i)))
                .build(), new StreamObserver<>() {
                    @Override
                    public void onNext(AppendResponse value) {
                        f.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        f.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        f.complete(null);
                    }
                });
        return f;
    }

    private static Status statusOf(CompletableFuture<AppendResponse> f) throws Exception {
        try {
            f.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
            return Status.OK;
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        }
    }

    @Test
    void withTheRingFullAppendsAreRefusedAfterTheBoundedWaitAndNoneIsLostWithoutAStatus() throws Exception {
        append(fixture, "readable", "k", "stored before the overload");
        CompletableFuture<AppendResponse> first = stallTheSequencer();
        int sent = RING + 20;
        List<CompletableFuture<AppendResponse>> calls = new ArrayList<>();
        for (int i = 1; i <= sent; i++) {
            calls.add(appendAsync("ctx", i));
        }

        int refused = 0;
        for (CompletableFuture<AppendResponse> call : calls.subList(RING, sent)) {
            Status s = statusOf(call);
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "ring (64 slots) stayed full for 50 ms", s);
            refused++;
        }
        assertFalse(first.isDone(), "the refusals came from the bounded wait, while the sequencer was still held");

        assertEquals(List.of(1L), sequences(readAll(fixture, "readable")), "Get answers under overload");
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(fixture.channel)
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health answers under overload");

        clock.release();
        int stored = 0;
        List<Long> answered = new ArrayList<>();
        answered.add(first.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS).getEntry().getSequence());
        for (CompletableFuture<AppendResponse> call : calls.subList(0, RING)) {
            Status s = statusOf(call);
            if (s.isOk()) {
                answered.add(call.get().getEntry().getSequence());
                stored++;
            } else {
                assertStatus(Status.Code.RESOURCE_EXHAUSTED, "stayed full", s);
                refused++;
            }
        }
        assertEquals(sent, stored + refused, "every call got an entry or an error status");
        RingWaits waits = fixture.server.ringWaits();
        assertEquals(refused, waits.refused(), "the server counted each refusal after a wait");
        assertTrue(waits.waited() >= refused, waits.waited() + " calls waited");
        assertTrue(waits.longestWaitNanos() >= TimeUnit.MILLISECONDS.toNanos(WAIT_MS),
            "a refused call waited the whole bound: " + waits.longestWaitNanos() + " ns");
        assertTrue(stored >= RING - 2, "the ring's slots were used: " + stored);
        answered.sort(null);
        assertEquals(oneTo(stored + 1), answered);
        assertEquals(oneTo(stored + 1), sequences(readAll(fixture, "ctx")), "what was refused left no gap");
    }

    @Test
    void aBatchThatFindsNoRoomInTheRingIsRefusedWholeAfterTheBoundedWait() throws Exception {
        CompletableFuture<AppendResponse> first = stallTheSequencer();

        ContractSupport.assertRejected(Status.Code.RESOURCE_EXHAUSTED, "stayed full for 50 ms",
            () -> fixture.blocking().appendBatch(batchOf("ctx", "big", RING)));
        assertFalse(first.isDone(), "refused by the bounded wait, while the sequencer was still held");

        clock.release();
        assertEquals(1, first.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS).getEntry().getSequence());
        assertEquals(RING - 1, fixture.blocking().appendBatch(batchOf("ctx", "fits", RING - 1)).getAcksCount());
        assertEquals(oneTo(RING), sequences(readAll(fixture, "ctx")), "nothing of the refused batch was stored");
    }

    @Test
    void anAppendStreamReadsNoMoreThanItsBatchesInFlightWhileTheRingCannotSequenceThem() throws Exception {
        CompletableFuture<AppendResponse> first = stallTheSequencer();
        int perBatch = 4;
        int batches = 40;
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        for (int b = 0; b < batches; b++) {
            stream.send(batchOf("ctx", "b" + b, perBatch));
        }
        long held = RING - 1 - (long) AppendStreamCall.BATCHES_IN_FLIGHT * perBatch;
        ContractSupport.await("the stream's first batches reach the ring", LedgerFixture.DEADLINE_SECONDS,
            () -> fixture.server.ledger().ringRemainingCapacity() == held);
        Thread.sleep(200); // were the server reading on regardless, more batches would reach the ring meanwhile
        assertEquals(held, fixture.server.ledger().ringRemainingCapacity(),
            "the server read only " + AppendStreamCall.BATCHES_IN_FLIGHT + " batches ahead of the sequencer");

        clock.release();
        stream.finish();
        assertEquals(Status.Code.OK, stream.awaitEnd().getCode());
        assertEquals(batches, stream.responses().size());
        assertEquals(1, first.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS).getEntry().getSequence());
        assertEquals(oneTo(1 + batches * perBatch), sequences(readAll(fixture, "ctx")));
    }
}
