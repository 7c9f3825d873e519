package io.converge.ledger.cluster;

import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.StorageConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What cluster mode needs, from the environment: {@code LEDGER_CLUSTER_MEMBERS} and
 * {@code LEDGER_CLUSTER_MEMBER_ID} (both, or neither for a standalone server), and the
 * cluster's directory and timeouts.
 *
 * @param members            the static member list
 * @param memberId           this member's id in it
 * @param directory          where the member keeps its Aeron directory, archive and consensus state
 * @param commitTimeoutMillis how long a write may wait to be committed and applied here before UNAVAILABLE
 * @param heartbeatTimeoutMillis how long followers wait without the leader's heartbeat before electing a new one
 * @param snapshotLogBytes   the leader has every member take a snapshot each time the log grew by this much
 *                           since the last one (0: never), so that a restart replays at most about this much
 * @param aeronDirectory     where the media driver's directory goes (its term buffers among it), as
 *                           {@code member-ID} under it; null for {@code directory/aeron}. tmpfs
 *                           ({@code /dev/shm}) spares the disk their writeback
 */
public record ClusterSettings(ClusterMembers members, int memberId, Path directory, long commitTimeoutMillis,
                              long heartbeatTimeoutMillis, long snapshotLogBytes, Path aeronDirectory) {
    public static final long DEFAULT_COMMIT_TIMEOUT_MILLIS = 5_000;
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_MILLIS = 1_500;
    /**
     * Never, by default: the store holds every entry the log ever carried (nothing is deleted), so
     * a member snapshot is about as large as the log it spares replaying, and taking one stops the
     * service for seconds per GiB of store (measured: 8 to 16 s for a 2 GB store, with every write
     * of the cluster waiting meanwhile).
     */
    public static final long DEFAULT_SNAPSHOT_LOG_BYTES = 0;

    /** With the default snapshot interval. */
    public ClusterSettings(ClusterMembers members, int memberId, Path directory, long commitTimeoutMillis,
                           long heartbeatTimeoutMillis) {
        this(members, memberId, directory, commitTimeoutMillis, heartbeatTimeoutMillis, DEFAULT_SNAPSHOT_LOG_BYTES, null);
    }

    /** The media driver's directory: {@code member-ID} under {@link #aeronDirectory()}, or {@code directory/aeron}. */
    public Path aeronDirectoryOrDefault() {
        return aeronDirectory != null ? aeronDirectory.resolve("member-" + memberId) : directory.resolve("aeron");
    }

    public ClusterSettings {
        members.member(memberId);
        if (snapshotLogBytes < 0) {
            throw new IllegalArgumentException("LEDGER_CLUSTER_SNAPSHOT_LOG_BYTES must be >= 0 (0: never)");
        }
        if (commitTimeoutMillis < 1 || heartbeatTimeoutMillis < 100) {
            throw new IllegalArgumentException("LEDGER_CLUSTER_COMMIT_TIMEOUT_MS must be >= 1 and"
                + " LEDGER_CLUSTER_HEARTBEAT_TIMEOUT_MS >= 100");
        }
    }

    /**
     * Cluster mode's settings from {@code env}, or null when neither member variable is set.
     *
     * @param dataDirectory the server's data directory; the cluster's lives in its {@code cluster} subdirectory
     *                      unless {@code LEDGER_CLUSTER_DIR} says otherwise
     * @throws IllegalArgumentException naming the variable that is wrong or missing
     */
    public static ClusterSettings fromEnvironment(Map<String, String> env, Path dataDirectory) {
        String members = env.get("LEDGER_CLUSTER_MEMBERS");
        String id = env.get("LEDGER_CLUSTER_MEMBER_ID");
        if (members == null && id == null) {
            return null;
        }
        if (members == null || id == null) {
            throw new IllegalArgumentException("cluster mode needs both LEDGER_CLUSTER_MEMBERS and"
                + " LEDGER_CLUSTER_MEMBER_ID; only "
                + (members == null ? "LEDGER_CLUSTER_MEMBER_ID" : "LEDGER_CLUSTER_MEMBERS") + " is set");
        }
        int memberId;
        try {
            memberId = Integer.parseInt(id.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LEDGER_CLUSTER_MEMBER_ID must be a member id (a number), not '" + id + "'");
        }
        String dir = env.get("LEDGER_CLUSTER_DIR");
        return new ClusterSettings(ClusterMembers.parse(members), memberId,
            dir == null ? dataDirectory.resolve("cluster") : Path.of(dir),
            number(env, "LEDGER_CLUSTER_COMMIT_TIMEOUT_MS", DEFAULT_COMMIT_TIMEOUT_MILLIS),
            number(env, "LEDGER_CLUSTER_HEARTBEAT_TIMEOUT_MS", DEFAULT_HEARTBEAT_TIMEOUT_MILLIS),
            number(env, "LEDGER_CLUSTER_SNAPSHOT_LOG_BYTES", DEFAULT_SNAPSHOT_LOG_BYTES),
            env.get("LEDGER_CLUSTER_AERON_DIR") == null || env.get("LEDGER_CLUSTER_AERON_DIR").isBlank() ? null
                : Path.of(env.get("LEDGER_CLUSTER_AERON_DIR").trim()));
    }

    private static long number(Map<String, String> env, String name, long otherwise) {
        String v = env.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
        }
    }

    /**
     * The ledger configuration a member runs with: file storage moves to the cluster
     * directory's {@code store} subdirectory, which is emptied first (a member's store is
     * rebuilt from the cluster's log each time it starts); memory storage stays.
     *
     * @throws java.io.UncheckedIOException when the old store cannot be removed
     */
    public LedgerConfig memberLedger(LedgerConfig ledger) {
        StorageConfig s = ledger.storage();
        if (s.mode() == StorageConfig.Mode.MEMORY) {
            return ledger;
        }
        Path store = directory.resolve("store");
        try {
            if (Files.exists(store)) {
                try (Stream<Path> paths = Files.walk(store)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the member's store " + store + " before rebuilding it", e);
        }
        return ledger.withStorage(new StorageConfig(s.mode(), store, s.segmentBytes(), s.fsync(), s.fsyncIntervalNanos(),
            s.diskBudgetBytes(), s.recovery()));
    }

    /** This member's entry in the list. */
    public ClusterMembers.Member self() {
        return members.member(memberId);
    }
}
