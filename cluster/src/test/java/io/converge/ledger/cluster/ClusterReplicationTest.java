package io.converge.ledger.cluster;

import io.converge.ledger.core.ContextView;
import io.converge.ledger.core.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClusterReplicationTest {
    @TempDir
    Path dir;

    @Test
    void anAppendOnAFollowerIsAcknowledgedAndThenSeenIdenticallyOnEveryMember() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            TestCluster.Ack ack = TestCluster.append(cluster.ledger(follower), "ctx", "k", "hello")
                .get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(1, ack.sequence());
            for (int id = 0; id < 3; id++) {
                cluster.ledger(id).readBarrier().get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
                ContextView view = cluster.ledger(id).view("ctx");
                assertEquals(1, view.latestSequence(), "member " + id);
                Entry e = view.entry(1);
                assertEquals(ack.id(), e.id(), "member " + id);
                assertEquals(ack.appendedAtNs(), e.appendedAtNs(), "member " + id);
                assertEquals("hello", new String(e.payloadBytes(), StandardCharsets.UTF_8));
            }
        }
    }
}
