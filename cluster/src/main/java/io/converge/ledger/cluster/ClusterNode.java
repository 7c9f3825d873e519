package io.converge.ledger.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.NanosecondClusterClock;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.ReplicatedLog;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * One member of a ledger cluster, in this JVM: its Aeron media driver, archive and consensus
 * module (one {@link ClusteredMediaDriver}), its ledger, whose ring forwards writes through
 * the {@link IngressLog}, and the clustered service container whose
 * {@link LedgerClusteredService} applies the committed log to that ledger's store.
 *
 * <p>Every agent backs off to parking when idle (no busy spin): three members and their
 * clients share two cores here. Timeouts follow {@link ClusterSettings}.
 */
public final class ClusterNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

    private final ClusterSettings settings;
    private final ClusteredMediaDriver driver;
    private final IngressLog ingress;
    private final AgentRunner ingressRunner;
    private final Ledger ledger;
    private final LedgerClusteredService service;
    private final ClusteredServiceContainer container;
    private volatile boolean closed;
    /** Ingress thread: the commit position when this member last asked for a snapshot. */
    private long lastSnapshotRequest;

    private ClusterNode(ClusterSettings settings, Function<ReplicatedLog, Ledger> startLedger) {
        this.settings = settings;
        File dir = settings.directory().toFile();
        String aeronDir = settings.aeronDirectoryOrDefault().toAbsolutePath().toString();
        ClusterMembers.Member self = settings.self();
        MediaDriver.Context driverContext = new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        driverContext.aeronDirectoryName(aeronDir);
        Archive.Context archiveContext = new Archive.Context()
            .archiveDir(new File(dir, "archive"))
            .controlChannel("aeron:udp?endpoint=" + self.archive())
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint="
                + self.host() + ":0"))
            .recordingEventsEnabled(false)
            .idleStrategySupplier(ClusterNode::idle)
            .threadingMode(ArchiveThreadingMode.SHARED);
        archiveContext.aeronDirectoryName(aeronDir);
        AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel());
        localArchive.aeronDirectoryName(aeronDir);
        long heartbeatTimeout = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatTimeoutMillis());
        ConsensusModule.Context consensus = new ConsensusModule.Context()
            .clusterMemberId(settings.memberId())
            .clusterMembers(settings.members().aeronForm())
            .clusterDir(new File(dir, "consensus"))
            .archiveContext(localArchive.clone())
            .serviceCount(1)
            .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
            .ingressChannel("aeron:udp?term-length=64m")
            .logChannel("aeron:udp?term-length=64m")
            .clusterClock(new NanosecondClusterClock())
            .leaderHeartbeatTimeoutNs(heartbeatTimeout)
            .leaderHeartbeatIntervalNs(Math.max(TimeUnit.MILLISECONDS.toNanos(20), heartbeatTimeout / 10))
            .electionTimeoutNs(Math.max(TimeUnit.MILLISECONDS.toNanos(100), heartbeatTimeout / 3))
            .startupCanvassTimeoutNs(heartbeatTimeout * 2)
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .idleStrategySupplier(ClusterNode::idle);
        consensus.aeronDirectoryName(aeronDir);
        this.driver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensus);
        ClusteredServiceContainer started = null;
        IngressLog log = null;
        AgentRunner runner = null;
        Ledger ledgerStarted = null;
        try {
            log = new IngressLog(settings, aeronDir, this::snapshotWhenDue);
            ledgerStarted = startLedger.apply(log);
            log.applier(ledgerStarted.logApplier());
            this.service = new LedgerClusteredService(ledgerStarted.logApplier(), log.barriers(), settings.memberId());
            ClusteredServiceContainer.Context serviceContext = new ClusteredServiceContainer.Context()
                .archiveContext(localArchive.clone())
                .clusterDir(new File(dir, "consensus"))
                .clusteredService(service)
                .serviceId(0)
                .idleStrategySupplier(ClusterNode::idle);
            serviceContext.aeronDirectoryName(aeronDir);
            started = ClusteredServiceContainer.launch(serviceContext);
            runner = new AgentRunner(idle(), e -> LOG.log(System.Logger.Level.WARNING, "cluster ingress: " + e), null, log);
            AgentRunner.startOnThread(runner, r -> {
                Thread t = new Thread(r, "ledger-ingress");
                t.setDaemon(true);
                return t;
            });
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(runner, started, ledgerStarted, driver);
            throw e;
        }
        this.ingress = log;
        this.ingressRunner = runner;
        this.container = started;
        this.ledger = ledgerStarted;
        LOG.log(System.Logger.Level.INFO, "cluster member " + settings.memberId() + " started; members "
            + settings.members() + ", directory " + dir);
    }

    /**
     * Starts this member: its Aeron media driver, archive and consensus module, then the
     * ledger {@code startLedger} makes on the given log (with {@link Ledger#startReplicated}),
     * then the service that applies the log to it. Returns without waiting for a leader: until
     * there is one, writes are answered UNAVAILABLE.
     */
    public static ClusterNode start(ClusterSettings settings, Function<ReplicatedLog, Ledger> startLedger) {
        // Aeron's contexts take SIGTERM and SIGINT over (JvmSignals): give them back, so the server's shutdown hook runs.
        Runnable giveSignalsBack = JvmSignals.save();
        try {
            return new ClusterNode(settings, startLedger);
        } finally {
            giveSignalsBack.run();
        }
    }

    /**
     * The idle strategy of every agent: a few spins and yields, then parking from 1 µs up to
     * 1 ms; {@code -Dledger.cluster.idle=spins,yields,minParkNs,maxParkNs} sets another (a
     * dedicated machine may spin more for lower latency).
     *
     * @throws IllegalArgumentException when the property is not four numbers
     */
    static IdleStrategy idle() {
        String value = System.getProperty(IDLE_PROPERTY, "10,10,1000,1000000");
        String[] p = value.split(",");
        try {
            if (p.length != 4) {
                throw new NumberFormatException();
            }
            return new BackoffIdleStrategy(Long.parseLong(p[0].trim()), Long.parseLong(p[1].trim()),
                Long.parseLong(p[2].trim()), Long.parseLong(p[3].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + IDLE_PROPERTY + " must be spins,yields,minParkNs,maxParkNs, not '"
                + value + "'");
        }
    }

    /** The system property that sets every agent's idle strategy. */
    public static final String IDLE_PROPERTY = "ledger.cluster.idle";

    public Ledger ledger() {
        return ledger;
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** This member's role now: LEADER, FOLLOWER or CANDIDATE. */
    public String role() {
        return Cluster.Role.get(roleCode()).name();
    }

    /** This member's role as Aeron's code: 0 follower, 1 candidate, 2 leader. */
    public long roleCode() {
        return driver.consensusModule().context().clusterNodeRoleCounter().get();
    }

    /** Writes forwarded from this member that wait to be applied here. */
    public int writesWaiting() {
        return ledger.logApplier().waiting();
    }

    /**
     * Calls {@code listener} with this member's role (LEADER, FOLLOWER, CANDIDATE) now and on
     * each change, on the clustered service's thread; it must not block.
     */
    public void onRoleChange(java.util.function.Consumer<String> listener) {
        service.onRoleChange(listener);
    }

    /** The log position the cluster has committed, as this member knows it. */
    public long commitPosition() {
        return driver.consensusModule().context().commitPositionCounter().get();
    }

    /** The log position this member's store holds every message up to. */
    public long appliedPosition() {
        return service.appliedPosition();
    }

    /**
     * Asks the cluster to take a snapshot on every member (it is the leader's to start): true
     * when this member is the leader and the request was taken.
     */
    public boolean takeSnapshot() {
        return "LEADER".equals(role())
            && ClusterControl.ToggleState.SNAPSHOT.toggle(driver.consensusModule().context().controlToggleCounter());
    }

    /** Contexts this member restored from its latest snapshot when it started; 0 when it replayed the whole log. */
    public int restoredContexts() {
        return service.restoredContexts();
    }

    /** Snapshots this member's service has written since it started. */
    public long snapshotsTaken() {
        return service.snapshots();
    }

    /** The ingress agent's periodic check: the leader asks for a snapshot once the log grew enough since the last. */
    private void snapshotWhenDue() {
        long every = settings.snapshotLogBytes();
        if (every > 0) {
            long committed = commitPosition();
            if (committed - lastSnapshotRequest >= every && takeSnapshot()) {
                lastSnapshotRequest = committed;
            }
        }
    }

    /** Whether this member's ingress client holds a session with a leader. */
    public boolean connectedToLeader() {
        return ingress.connected();
    }

    /**
     * Stops this member, answering every write it took: it waits (up to the commit timeout, at
     * most 2 s) for the writes it forwarded to be applied here and answered; then stops its
     * ingress and its service, answers the writes still waiting UNAVAILABLE ("may still be
     * stored"), closes the ledger (which refuses what is left in its ring and ends every watch
     * with UNAVAILABLE), and stops the consensus module, archive and driver. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + Math.min(TimeUnit.SECONDS.toNanos(2),
            TimeUnit.MILLISECONDS.toNanos(settings.commitTimeoutMillis()));
        while (ledger.logApplier().waiting() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        CloseHelper.quietCloseAll(ingressRunner, container);
        ledger.logApplier().abandonAll("the server is shutting down");
        CloseHelper.quietCloseAll(ledger, driver);
    }
}
