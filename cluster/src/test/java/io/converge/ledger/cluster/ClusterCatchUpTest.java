package io.converge.ledger.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A follower stops while appends go on, and starts again: it replays its archive and catches up from the leader. */
class ClusterCatchUpTest {
    private static final String CONTEXT = "catch-up";

    @TempDir
    Path dir;

    @Test
    void aFollowerStoppedWhileAppendsGoOnCatchesUpWhenRestartedAndHoldsIdenticalEntries() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            int stopped = cluster.followerOf(leader);
            List<AppendStream.Acked> acked = new ArrayList<>();
            try (AppendStream onLeader = new AppendStream(cluster.ledger(leader), CONTEXT, "leader")) {
                // The follower to stop appends too, so the log holds messages it forwarded (and a read barrier).
                try (AppendStream onFollower = new AppendStream(cluster.ledger(stopped), CONTEXT, "before")) {
                    onFollower.awaitAcked(100);
                    acked.addAll(onFollower.finish());
                }
                cluster.readBarrier(stopped);
                cluster.stop(stopped);
                int whileStopped = onLeader.ackedCount();
                onLeader.awaitAcked(whileStopped + 200);

                cluster.start(stopped);
                // It appends again at once, while it replays and catches up: its new writes must get their own answers.
                try (AppendStream restarted = new AppendStream(cluster.ledger(stopped), CONTEXT, "after")) {
                    restarted.awaitAcked(50);
                    onLeader.awaitAcked(onLeader.ackedCount() + 50);
                    acked.addAll(restarted.finish());
                }
                acked.addAll(onLeader.finish());
            }
            List<TestCluster.Stored> all = cluster.identicalOnRunningMembers(CONTEXT);
            assertEquals(3, cluster.running().length);
            AppendStream.assertHoldsEveryAcked(all, acked);
        }
    }
}
