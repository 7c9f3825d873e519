package io.converge.ledger.cluster;

import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.ContextView;
import io.converge.ledger.core.Entry;
import io.converge.ledger.core.EntryIds;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.LedgerException;
import io.converge.ledger.core.StorageConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Three cluster members in this JVM, each on its own free loopback ports and its own
 * directory under the test's temp directory; a member can be stopped and started again on
 * the same ports and data. Every wait is bounded.
 */
final class TestCluster implements AutoCloseable {
    static final long WAIT_SECONDS = 30;

    private final Path root;
    private final ClusterMembers members;
    private final ClusterNode[] nodes;

    TestCluster(Path root, int size) throws IOException {
        this.root = root;
        StringBuilder list = new StringBuilder();
        for (int id = 0; id < size; id++) {
            list.append(id == 0 ? "" : ",").append(id).append("=127.0.0.1:").append(TestPorts.freeBase());
        }
        this.members = ClusterMembers.parse(list.toString());
        this.nodes = new ClusterNode[size];
        for (int id = 0; id < size; id++) {
            start(id);
        }
    }

    void start(int id) {
        ClusterSettings settings = new ClusterSettings(members, id, root.resolve("member-" + id), 5_000, 1_000);
        LedgerConfig config = LedgerConfig.defaults().withStorage(StorageConfig.memory()).withRingSize(1 << 12);
        nodes[id] = ClusterNode.start(settings, log -> Ledger.startReplicated(config, () -> { }, log));
    }

    void stop(int id) {
        nodes[id].close();
        nodes[id] = null;
    }

    ClusterNode node(int id) {
        return nodes[id];
    }

    Ledger ledger(int id) {
        return nodes[id].ledger();
    }

    /** The id of the member that is leader, once one is and every running member's ingress follows it. */
    int awaitLeader() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            int leader = -1;
            boolean allConnected = true;
            for (int id = 0; id < nodes.length; id++) {
                if (nodes[id] != null) {
                    if ("LEADER".equals(nodes[id].role())) {
                        leader = id;
                    }
                    allConnected &= nodes[id].connectedToLeader();
                }
            }
            if (leader >= 0 && allConnected) {
                return leader;
            }
            sleep(20);
        }
        throw new AssertionError("no leader within " + WAIT_SECONDS + " s");
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT_SECONDS + " s: " + what);
            }
            sleep(10);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** What an append got. */
    record Ack(long sequence, String id, long appendedAtNs) {
    }

    /** An AppendCallback as a future. */
    static final class AppendFuture extends CompletableFuture<Ack> implements AppendCallback {
        @Override
        public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
            complete(new Ack(sequence, EntryIds.format(idHi, idLo), appendedAtNs));
        }

        @Override
        public void onRejected(LedgerException reason) {
            completeExceptionally(reason);
        }
    }

    static CompletableFuture<Ack> append(Ledger ledger, String context, String key, String payload) {
        AppendFuture f = new AppendFuture();
        ledger.append(context, key, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of(), f);
        return f;
    }

    /** The members running now. */
    int[] running() {
        return java.util.stream.IntStream.range(0, nodes.length).filter(id -> nodes[id] != null).toArray();
    }

    /** A running member that is not the leader {@code leader}. */
    int followerOf(int leader) {
        for (int id = 0; id < nodes.length; id++) {
            if (id != leader && nodes[id] != null) {
                return id;
            }
        }
        throw new AssertionError("no running member besides " + leader);
    }

    /** Whether {@code failure} (a future's) is a LedgerException with {@code reason}. */
    static boolean is(Throwable failure, LedgerException.Reason reason) {
        Throwable t = failure instanceof ExecutionException ? failure.getCause() : failure;
        return t instanceof LedgerException e && e.reason() == reason;
    }

    /**
     * Waits until member {@code id}'s read barrier passes (so it holds every acknowledged
     * entry), retrying while it is answered UNAVAILABLE (no leader yet, a change of leader).
     */
    void readBarrier(int id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                ledger(id).readBarrier().get(WAIT_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!is(e, LedgerException.Reason.UNAVAILABLE) || System.nanoTime() > deadline) {
                    throw new AssertionError("member " + id + "'s read barrier failed", e.getCause());
                }
                sleep(50);
            } catch (TimeoutException e) {
                throw new AssertionError("member " + id + "'s read barrier was not answered within " + WAIT_SECONDS
                    + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** One stored entry, as compared across members. */
    record Stored(long sequence, String id, String key, String payload, long appendedAtNs, Map<String, String> metadata) {
        static Stored of(Entry e) {
            return new Stored(e.sequence(), e.id(), e.key(), new String(e.payloadBytes(), StandardCharsets.UTF_8),
                e.appendedAtNs(), e.metadata());
        }
    }

    /** Every entry of {@code context} on member {@code id}, as it holds them now. */
    List<Stored> entries(int id, String context) {
        ContextView view = ledger(id).view(context);
        List<Stored> all = new ArrayList<>((int) view.latestSequence());
        for (long s = 1; s <= view.latestSequence(); s++) {
            all.add(Stored.of(view.entry(s)));
        }
        return all;
    }

    /**
     * Passes each running member's read barrier, then checks that they all hold the same
     * entries of {@code context}, numbered 1..n without gap, and returns them.
     */
    List<Stored> identicalOnRunningMembers(String context) {
        List<Stored> first = null;
        int firstId = -1;
        for (int id : running()) {
            readBarrier(id);
            List<Stored> mine = entries(id, context);
            for (int i = 0; i < mine.size(); i++) {
                if (mine.get(i).sequence() != i + 1) {
                    throw new AssertionError("member " + id + " holds sequence " + mine.get(i).sequence() + " at "
                        + (i + 1));
                }
            }
            if (first == null) {
                first = mine;
                firstId = id;
            } else if (!first.equals(mine)) {
                throw new AssertionError("members " + firstId + " and " + id + " differ on " + context + ": "
                    + first.size() + " vs " + mine.size() + " entries; first difference at index "
                    + firstDifference(first, mine));
            }
        }
        return first;
    }

    private static int firstDifference(List<Stored> a, List<Stored> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return i;
            }
        }
        return Math.min(a.size(), b.size());
    }

    @Override
    public void close() {
        for (int id = 0; id < nodes.length; id++) {
            if (nodes[id] != null) {
                stop(id);
            }
        }
    }
}
