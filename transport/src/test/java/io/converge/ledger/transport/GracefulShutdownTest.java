package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.AppendResponse;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.range;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link LedgerServer#close()} (what SIGTERM runs): open Watch streams end with UNAVAILABLE
 * naming the sequence to resume after,
 * in-flight appends get an answer, and calls after shutdown fail with UNAVAILABLE.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class GracefulShutdownTest extends ServedOverBothTransports {
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
