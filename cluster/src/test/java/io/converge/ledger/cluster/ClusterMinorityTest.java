package io.converge.ledger.cluster;

import io.converge.ledger.core.LedgerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One member of three cannot commit anything: its writes and read barriers are answered UNAVAILABLE in time. */
class ClusterMinorityTest {
    private static final String CONTEXT = "minority";
    /** TestCluster's commit timeout, and the margin a loaded two-core machine gets on top of it. */
    private static final long COMMIT_TIMEOUT_MILLIS = 5_000;
    private static final long MARGIN_MILLIS = 2_000;

    @TempDir
    Path dir;

    @Test
    void aLeaderLeftAloneAnswersWritesAndReadBarriersUnavailableInTimeAndWritesAgainOnceAMemberReturns()
        throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            TestCluster.append(cluster.ledger(leader), CONTEXT, "k", "before").get(TestCluster.WAIT_SECONDS,
                TimeUnit.SECONDS);
            int first = cluster.followerOf(leader);
            cluster.stop(first);
            int second = cluster.followerOf(leader);
            cluster.stop(second);

            long start = System.nanoTime();
            CompletableFuture<TestCluster.Ack> append = TestCluster.append(cluster.ledger(leader), CONTEXT, "k", "alone");
            CompletableFuture<Void> barrier = cluster.ledger(leader).readBarrier();
            assertUnavailableInTime(append, start, "append");
            assertUnavailableInTime(barrier, start, "read barrier");
            // Still so once the leader noticed it is alone (it may have stepped down by now).
            start = System.nanoTime();
            assertUnavailableInTime(TestCluster.append(cluster.ledger(leader), CONTEXT, "k", "still alone"), start,
                "second append");

            cluster.start(first);
            try (AppendStream appends = new AppendStream(cluster.ledger(leader), CONTEXT, "again")) {
                appends.awaitAcked(10);
                List<AppendStream.Acked> acked = appends.finish();
                List<TestCluster.Stored> stored = cluster.identicalOnRunningMembers(CONTEXT);
                AppendStream.assertHoldsEveryAcked(stored, acked);
                assertEquals("before", stored.get(0).payload());
            }
        }
    }

    private static void assertUnavailableInTime(CompletableFuture<?> answer, long startNanos, String what) {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> get(answer, COMMIT_TIMEOUT_MILLIS + MARGIN_MILLIS), what + " was not refused");
        assertTrue(TestCluster.is(e, LedgerException.Reason.UNAVAILABLE), what + ": " + e.getCause());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertTrue(millis <= COMMIT_TIMEOUT_MILLIS + MARGIN_MILLIS, what + " took " + millis + " ms");
    }

    private static Object get(Future<?> f, long millis) throws Exception {
        return f.get(millis, TimeUnit.MILLISECONDS);
    }
}
