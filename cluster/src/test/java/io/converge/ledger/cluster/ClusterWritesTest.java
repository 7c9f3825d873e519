package io.converge.ledger.cluster;

import io.converge.ledger.core.AppendedBatch;
import io.converge.ledger.core.EntryIds;
import io.converge.ledger.core.LedgerException;
import io.converge.ledger.core.LoadCallback;
import io.converge.ledger.core.TestBatch;
import io.converge.ledger.core.TestBatch.BatchFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AppendBatch and Load through the cluster. */
class ClusterWritesTest {
    @TempDir
    Path dir;

    /** What a Load got: entries restored and the latest sequence. */
    record Loaded(long restored, long latestSequence) {
    }

    static final class LoadFuture extends CompletableFuture<Loaded> implements LoadCallback {
        @Override
        public void onLoaded(long entriesRestored, long latestSequence) {
            if (!complete(new Loaded(entriesRestored, latestSequence))) {
                throw new AssertionError("load answered twice");
            }
        }

        @Override
        public void onRejected(LedgerException reason) {
            if (!completeExceptionally(reason)) {
                throw new AssertionError("load answered twice");
            }
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aBatchOnAFollowerGetsConsecutiveSequencesPerContextIdenticalOnEveryMember() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            int follower = cluster.followerOf(leader);
            TestCluster.Ack first = get(TestCluster.append(cluster.ledger(leader), "a", "k", "a-0"));
            assertEquals(1, first.sequence());
            TestBatch batch = new TestBatch();
            for (int i = 0; i < 7; i++) {
                String context = i % 2 == 0 ? "a" : "b";
                batch.add(context, "key" + i, ("entry-" + i).getBytes(StandardCharsets.UTF_8),
                    i == 3 ? Map.of("m", "v" + i) : Map.of());
            }
            BatchFuture answer = new BatchFuture();
            cluster.ledger(follower).appendBatch(batch, null, answer);
            AppendedBatch acks = get(answer);
            assertEquals(7, acks.size());
            List<Long> sequencesA = new ArrayList<>();
            List<Long> sequencesB = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                (i % 2 == 0 ? sequencesA : sequencesB).add(acks.sequence(i));
            }
            assertEquals(List.of(2L, 3L, 4L, 5L), sequencesA);
            assertEquals(List.of(1L, 2L, 3L), sequencesB);

            Map<String, List<TestCluster.Stored>> stored = Map.of("a", cluster.identicalOnRunningMembers("a"),
                "b", cluster.identicalOnRunningMembers("b"));
            assertEquals(5, stored.get("a").size());
            assertEquals(3, stored.get("b").size());
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 7; i++) {
                TestBatch.Item item = batch.item(i);
                TestCluster.Stored s = stored.get(item.contextId()).get((int) acks.sequence(i) - 1);
                assertEquals(new TestCluster.Stored(acks.sequence(i), EntryIds.format(acks.idHi(i), acks.idLo(i)),
                    item.key(), new String(item.payload(), StandardCharsets.UTF_8), acks.appendedAtNs(i),
                    item.metadata()), s, "entry " + i);
                assertTrue(ids.add(s.id()), "id " + s.id() + " given twice");
            }
            assertNotEquals(first.id(), stored.get("a").get(1).id());
        }
    }

    @Test
    void anEmptyBatchThroughTheClusterIsAcknowledgedWithNoEntries() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            for (int id : new int[] {leader, cluster.followerOf(leader)}) {
                BatchFuture answer = new BatchFuture();
                cluster.ledger(id).appendBatch(new TestBatch(), null, answer);
                assertEquals(0, get(answer).size(), "member " + id);
            }
            for (int id : cluster.running()) {
                cluster.readBarrier(id);
                assertEquals(0, cluster.ledger(id).contextCount(), "member " + id);
            }
        }
    }

    @Test
    void aLoadOfAnotherMembersSnapshotRestoresIdenticallyOnEveryMemberAndAFailIfExistsLoadIntoItIsRefused()
        throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            int follower = cluster.followerOf(leader);
            int third = 3 - leader - follower;
            for (int i = 0; i < 5; i++) {
                get(TestCluster.append(cluster.ledger(leader), "src", "k" + i, "src-" + i));
            }
            cluster.readBarrier(follower);
            byte[] blob = cluster.ledger(follower).snapshot("src").blob();

            LoadFuture loaded = new LoadFuture();
            cluster.ledger(third).load("copy", blob, true, loaded);
            assertEquals(new Loaded(5, 5), get(loaded));
            List<TestCluster.Stored> source = cluster.identicalOnRunningMembers("src");
            List<TestCluster.Stored> copy = cluster.identicalOnRunningMembers("copy");
            assertEquals(5, copy.size());
            for (int i = 0; i < 5; i++) {
                TestCluster.Stored s = source.get(i);
                TestCluster.Stored c = copy.get(i);
                assertEquals(new TestCluster.Stored(s.sequence(), c.id(), s.key(), s.payload(), s.appendedAtNs(),
                    s.metadata()), c, "entry " + (i + 1));
                assertNotEquals(s.id(), c.id(), "a Load into another context gives fresh ids");
            }

            LoadFuture refused = new LoadFuture();
            cluster.ledger(leader).load("copy", blob, true, refused);
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(refused));
            assertTrue(TestCluster.is(e, LedgerException.Reason.ALREADY_EXISTS), String.valueOf(e.getCause()));
            assertEquals(copy, cluster.identicalOnRunningMembers("copy"));
            assertEquals(source, cluster.identicalOnRunningMembers("src"));

            // The log goes on identically after the refused Load: the next entry's id and sequence agree everywhere.
            TestCluster.Ack next = get(TestCluster.append(cluster.ledger(follower), "copy", "k", "after"));
            assertEquals(6, next.sequence());
            List<TestCluster.Stored> after = cluster.identicalOnRunningMembers("copy");
            assertEquals(copy, after.subList(0, 5));
            assertEquals(next.id(), after.get(5).id());
        }
    }
}
