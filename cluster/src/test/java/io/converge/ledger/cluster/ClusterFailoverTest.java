package io.converge.ledger.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The leader stops (close() in this JVM stands in for a crash) while a follower appends. */
class ClusterFailoverTest {
    private static final String CONTEXT = "failover";
    /** Acknowledged appends to wait for before stopping the leader, and again after. */
    private static final int APPENDS = 40;

    @TempDir
    Path dir;

    @Test
    void afterTheLeaderStopsANewOneIsElectedAndEveryAcknowledgedEntrySurvivesIdenticallyThreeTimesInARow() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            List<AppendStream.Acked> acked = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                int leader = cluster.awaitLeader();
                int writer = cluster.followerOf(leader);
                try (AppendStream appends = new AppendStream(cluster.ledger(writer), CONTEXT, "round" + round)) {
                    appends.awaitAcked(APPENDS);
                    cluster.stop(leader);
                    int beforeStop = appends.ackedCount();
                    int newLeader = cluster.awaitLeader();
                    assertNotEquals(leader, newLeader, "round " + round);
                    appends.awaitAcked(beforeStop + APPENDS);
                    acked.addAll(appends.finish());
                }
                List<TestCluster.Stored> survivors = cluster.identicalOnRunningMembers(CONTEXT);
                AppendStream.assertHoldsEveryAcked(survivors, acked);

                cluster.start(leader);
                List<TestCluster.Stored> all = cluster.identicalOnRunningMembers(CONTEXT);
                assertEquals(3, cluster.running().length);
                assertEquals(survivors, all.subList(0, survivors.size()), "round " + round
                    + ": the restarted member changed what the survivors held");
                AppendStream.assertHoldsEveryAcked(all, acked);
            }
        }
    }
}
