package io.converge.ledger.cluster;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadBarriersTest {
    @Test
    void aBarrierAnEarlierRunOfThisMemberSentLetsNoReaderOfThisRunGoOn() {
        ReadBarriers earlier = new ReadBarriers(TimeUnit.SECONDS.toNanos(5));
        earlier.join();
        long earlierId = earlier.toSend();
        earlier.sent(earlierId);

        ReadBarriers barriers = new ReadBarriers(TimeUnit.SECONDS.toNanos(5));
        CompletableFuture<Void> reader = barriers.join();
        long id = barriers.toSend();
        barriers.sent(id);
        // Replayed from the log after a restart: the earlier run's barriers, and ids a run starting at 0 would issue.
        for (long replayed : new long[] {earlierId, 1, 2, id + 1, Long.MAX_VALUE}) {
            barriers.applied(replayed);
            assertFalse(reader.isDone(), "barrier " + replayed + " of another run let the reader go on");
        }
        barriers.applied(id);
        assertTrue(reader.isDone());
    }
}
