package io.converge.ledger.transport;

import io.aeron.cluster.ConsensusModule;
import io.converge.ledger.cluster.ClusterMembers;
import io.converge.ledger.cluster.ClusterNode;
import io.converge.ledger.cluster.ClusterSettings;
import io.converge.ledger.cluster.TestPorts;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A fresh 3-member ledger cluster in this JVM, on free loopback UDP ports and in a temporary
 * directory of its own, whose member {@link #SERVED} is a {@link LedgerServer} (the one the
 * contract tests call) and whose other two are bare {@link ClusterNode}s with the same ledger
 * configuration.
 *
 * <p>The served member is a follower, deterministically: member {@link #LEADER} is Aeron's
 * appointed leader (only it stands in elections), so every write the tests make is forwarded
 * to another member and acknowledged once committed and applied on the served one. Aeron
 * reads the appointment from a system property when a member's consensus context is made,
 * so it is set only while the three members start, under a lock. {@link #start} returns once
 * the served member follows the leader and its ingress holds a session with it (bounded).
 */
final class ServedClusterMember implements AutoCloseable {
    static final int SERVED = 0;
    static final int LEADER = 1;
    private static final int SIZE = 3;
    private static final long WAIT_SECONDS = 30;
    private static final Object APPOINTING = new Object();

    /** Starts the served member's server on the cluster settings it is given. */
    @FunctionalInterface
    interface ServerStart {
        LedgerServer start(ClusterSettings cluster) throws IOException;
    }

    private final Path root;
    private final List<ClusterNode> bare;
    final LedgerServer server;

    private ServedClusterMember(Path root, List<ClusterNode> bare, LedgerServer server) {
        this.root = root;
        this.bare = bare;
        this.server = server;
    }

    /**
     * Starts the two bare members and then the served one with {@code serverStart}, all with
     * {@code ledger}'s configuration, and waits for the served member to follow the leader.
     *
     * @throws AssertionError when that does not happen within 30 s
     */
    static ServedClusterMember start(LedgerConfig ledger, ServerStart serverStart) throws IOException {
        Path root = Files.createTempDirectory("ledger-cluster-");
        StringBuilder list = new StringBuilder();
        for (int id = 0; id < SIZE; id++) {
            list.append(id == 0 ? "" : ",").append(id).append('=')
                .append(InetAddress.getLoopbackAddress().getHostAddress()).append(':').append(TestPorts.freeBase());
        }
        ClusterMembers members = ClusterMembers.parse(list.toString());
        List<CompletableFuture<ClusterNode>> starting = new ArrayList<>();
        List<ClusterNode> bare = new ArrayList<>();
        LedgerServer server = null;
        try {
            synchronized (APPOINTING) {
                String before = System.getProperty(ConsensusModule.Configuration.APPOINTED_LEADER_ID_PROP_NAME);
                System.setProperty(ConsensusModule.Configuration.APPOINTED_LEADER_ID_PROP_NAME, String.valueOf(LEADER));
                try {
                    // the three start side by side: much of a member's start is waiting on its own agents
                    for (int id = 0; id < SIZE; id++) {
                        if (id != SERVED) {
                            ClusterSettings member = settings(members, id, root);
                            LedgerConfig config = member.memberLedger(ledger);
                            starting.add(CompletableFuture.supplyAsync(() -> ClusterNode.start(member,
                                log -> Ledger.startReplicated(config, () -> { }, log)), ServedClusterMember::thread));
                        }
                    }
                    try {
                        server = serverStart.start(settings(members, SERVED, root));
                    } finally {
                        bare.addAll(started(starting));
                    }
                } finally {
                    if (before == null) {
                        System.clearProperty(ConsensusModule.Configuration.APPOINTED_LEADER_ID_PROP_NAME);
                    } else {
                        System.setProperty(ConsensusModule.Configuration.APPOINTED_LEADER_ID_PROP_NAME, before);
                    }
                }
            }
            ServedClusterMember cluster = new ServedClusterMember(root, bare, server);
            cluster.awaitFollowing();
            return cluster;
        } catch (IOException | RuntimeException | Error e) {
            if (server != null) {
                server.close();
            }
            bare.forEach(ClusterNode::close);
            delete(root);
            throw e;
        }
    }

    private static void thread(Runnable start) {
        Thread t = new Thread(start, "test-cluster-start");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The bare members in member order once each has started (bounded).
     *
     * @throws IllegalStateException naming why a member did not start, after closing those that did
     */
    private static List<ClusterNode> started(List<CompletableFuture<ClusterNode>> starting) {
        List<ClusterNode> nodes = new ArrayList<>();
        Throwable failure = null;
        for (CompletableFuture<ClusterNode> f : starting) {
            try {
                nodes.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (TimeoutException | InterruptedException e) {
                failure = e;
                f.thenAccept(ClusterNode::close);
            }
        }
        if (failure != null) {
            nodes.forEach(ClusterNode::close);
            throw new IllegalStateException("a bare cluster member did not start: " + failure, failure);
        }
        return nodes;
    }

    private static ClusterSettings settings(ClusterMembers members, int id, Path root) {
        return new ClusterSettings(members, id, root.resolve("member-" + id),
            ClusterSettings.DEFAULT_COMMIT_TIMEOUT_MILLIS, ClusterSettings.DEFAULT_HEARTBEAT_TIMEOUT_MILLIS);
    }

    private void awaitFollowing() {
        ClusterNode served = server.clusterNode();
        ClusterNode leader = bare.get(LEADER - 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!("LEADER".equals(leader.role()) && "FOLLOWER".equals(served.role()) && served.connectedToLeader())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the served member did not follow a leader within " + WAIT_SECONDS
                    + " s: member " + LEADER + " is " + leader.role() + ", the served member " + served.role()
                    + (served.connectedToLeader() ? "" : ", its ingress without a session"));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a leader", e);
            }
        }
    }

    /** Stops the bare members (the served one stops with its server) and deletes the cluster's directory. */
    @Override
    public void close() {
        bare.forEach(ClusterNode::close);
        delete(root);
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the test cluster's directory " + dir, e);
        }
    }
}
