package io.converge.ledger.cluster;

import io.converge.ledger.core.ContextLog;
import io.converge.ledger.core.WatchSink;
import io.converge.ledger.core.WatchSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A Watch on a follower, across a change of leader. */
class ClusterWatchTest {
    private static final String CONTEXT = "watched";

    @TempDir
    Path dir;

    /** Records every entry it is offered, and any call made out of turn. */
    static final class Sink implements WatchSink {
        private final List<TestCluster.Stored> entries = new ArrayList<>();
        private final List<String> violations = new ArrayList<>();
        private final AtomicBoolean inCall = new AtomicBoolean();
        private boolean closed;

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public boolean offer(ContextLog log, long sequence) {
            boolean alone = inCall.compareAndSet(false, true);
            TestCluster.Stored e = TestCluster.Stored.of(log.entry(sequence));
            synchronized (this) {
                if (!alone || closed) {
                    violations.add("offer(" + sequence + ") " + (closed ? "after onClosed" : "concurrently"));
                }
                entries.add(e);
                notifyAll();
            }
            if (alone) {
                inCall.set(false);
            }
            return true;
        }

        @Override
        public synchronized void onClosed() {
            if (closed) {
                violations.add("onClosed twice");
            }
            closed = true;
        }

        @Override
        public synchronized void onFailed(Throwable cause) {
            violations.add("failed: " + cause);
            closed = true;
        }

        synchronized List<TestCluster.Stored> entries() {
            return List.copyOf(entries);
        }

        synchronized List<String> violations() {
            return List.copyOf(violations);
        }

        /** Waits, at most {@link TestCluster#WAIT_SECONDS}, for {@code n} entries. */
        synchronized void await(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestCluster.WAIT_SECONDS);
            while (entries.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the watch got " + entries.size() + " of " + n + " entries within "
                        + TestCluster.WAIT_SECONDS + " s");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    @Test
    void aWatchOnAFollowerGetsEveryEntryOnceInOrderAcrossAChangeOfLeader() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            int leader = cluster.awaitLeader();
            int follower = cluster.followerOf(leader);
            Sink sink = new Sink();
            WatchSubscription watch = cluster.ledger(follower).watch(CONTEXT, "", 0, sink);
            List<AppendStream.Acked> acked;
            try (AppendStream appends = new AppendStream(cluster.ledger(follower), CONTEXT, "w")) {
                appends.awaitAcked(50);
                cluster.stop(leader);
                int beforeStop = appends.ackedCount();
                assertNotEquals(leader, cluster.awaitLeader());
                appends.awaitAcked(beforeStop + 50);
                acked = appends.finish();
            }
            List<TestCluster.Stored> stored = cluster.identicalOnRunningMembers(CONTEXT);
            AppendStream.assertHoldsEveryAcked(stored, acked);
            sink.await(stored.size());
            // Anything more (a duplicate) would come on the heels of the last entry: give it a moment to show.
            TestCluster.sleep(200);
            assertEquals(stored, sink.entries(), "the watch's entries differ from the member's store");
            assertEquals(List.of(), sink.violations());
            watch.cancel();
        }
    }
}
