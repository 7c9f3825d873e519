package io.converge.ledger.transport;

import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, {@code LEDGER_MAX_WATCHERS}: Watch and WatchBatches streams beyond the limit are
 * refused with RESOURCE_EXHAUSTED and a message; a stream that ends (cancelled, its deadline
 * passed, refused by the ledger) gives its place back.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class WatcherLimitContractTest extends ServedOverBothTransports {
    private static final int LIMIT = 3;

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withLimits(ServerLimits.defaults().withMaxWatchers(LIMIT));
    }

    private WatchRecorder watch() {
        WatchRecorder w = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("ctx").build(), w);
        return w;
    }

    private WatchBatchRecorder watchBatches() {
        WatchBatchRecorder w = WatchBatchRecorder.automatic();
        fixture.async().watchBatches(WatchRequest.newBuilder().setContextId("ctx").build(), w);
        return w;
    }

    private void awaitOpen(int n) throws InterruptedException {
        await(n + " watch streams open (now " + fixture.server.watches().open() + ")", 10,
            () -> fixture.server.watches().open() == n && fixture.server.ledger().stats().watchersOpen() == n);
    }

    private static void assertRefusedForTheLimit(Status end) {
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, end.getCode(), end.toString());
        assertTrue(end.getDescription().contains("LEDGER_MAX_WATCHERS") && end.getDescription().contains("3"),
            end.getDescription());
    }

    @Test
    void watchesBeyondTheLimitAreRefusedAndACancelledOneGivesItsPlaceBack() throws Exception {
        WatchRecorder first = watch();
        watchBatches();
        watch();
        awaitOpen(LIMIT);
        assertRefusedForTheLimit(watch().awaitEnd());
        assertRefusedForTheLimit(watchBatches().awaitEnd());
        awaitOpen(LIMIT);

        first.cancel();
        awaitOpen(LIMIT - 1);
        WatchBatchRecorder admitted = watchBatches();
        awaitOpen(LIMIT);
        assertFalse(admitted.ended(), "admitted once a place was free");
    }

    @Test
    void aWatchThatEndsGivesItsPlaceBack() throws Exception {
        WatchRecorder timed = WatchRecorder.automatic();
        fixture.async().withDeadlineAfter(300, TimeUnit.MILLISECONDS)
            .watch(WatchRequest.newBuilder().setContextId("ctx").build(), timed);
        watch();
        watch();
        assertEquals(Status.Code.DEADLINE_EXCEEDED, timed.awaitEnd().getCode());
        awaitOpen(LIMIT - 1);
        // A watch the ledger refuses (a bad context id) takes no place either.
        WatchRecorder bad = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("").build(), bad);
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.awaitEnd().getCode());
        awaitOpen(LIMIT - 1);
        watchBatches();
        awaitOpen(LIMIT);
    }
}
