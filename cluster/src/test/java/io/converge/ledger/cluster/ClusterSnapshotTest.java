package io.converge.ledger.cluster;

import io.converge.ledger.core.ContextView;
import io.converge.ledger.core.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void aMemberRestartedAfterASnapshotRestoresItAndReplaysOnlyTheLogAfterItToIdenticalEntries() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            appendAll(cluster, follower, "before", 40);
            assertTrue(cluster.node(leader).takeSnapshot(), "the leader takes the snapshot request");
            TestCluster.await("every member took the snapshot", () -> cluster.node(0).snapshotsTaken() >= 1
                && cluster.node(1).snapshotsTaken() >= 1 && cluster.node(2).snapshotsTaken() >= 1);
            appendAll(cluster, follower, "after", 10);

            cluster.stop(follower);
            cluster.start(follower);
            cluster.awaitLeader();
            TestCluster.await("the restarted member restored both contexts from the snapshot",
                () -> cluster.node(follower).restoredContexts() == 2);
            for (String context : List.of("ctx-a", "ctx-b")) {
                List<Entry> expected = entries(cluster, leader, context);
                assertEquals(25, expected.size(), context);
                assertEquals(expected, entries(cluster, follower, context), context + " on the restarted member");
            }
        }
    }

    private static void appendAll(TestCluster cluster, int member, String prefix, int n) throws Exception {
        List<CompletableFuture<TestCluster.Ack>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            acks.add(TestCluster.append(cluster.ledger(member), i % 2 == 0 ? "ctx-a" : "ctx-b", "k" + i, prefix + i));
        }
        for (CompletableFuture<TestCluster.Ack> ack : acks) {
            ack.get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static List<Entry> entries(TestCluster cluster, int member, String context) throws Exception {
        cluster.ledger(member).readBarrier().get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
        ContextView view = cluster.ledger(member).view(context);
        List<Entry> entries = new ArrayList<>();
        for (long s = 1; s <= view.latestSequence(); s++) {
            entries.add(view.entry(s));
        }
        return entries;
    }
}
