package io.converge.ledger.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.converge.ledger.core.LogApplier;
import io.converge.ledger.core.LogMessages;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The clustered service: Aeron Cluster calls it, on its one service thread, with every
 * committed message of the log in order, on every member; it hands writes to the ledger's
 * {@link LogApplier} and this member's own read barriers to {@link ReadBarriers}. It keeps
 * no state of its own: the store is the state, rebuilt from the log when a member starts.
 */
final class LedgerClusteredService implements ClusteredService {
    private static final System.Logger LOG = System.getLogger(LedgerClusteredService.class.getName());

    private final LogApplier applier;
    private final ReadBarriers barriers;
    private final int memberId;
    private ByteBuffer scratch = ByteBuffer.allocateDirect(1 << 16).order(LogMessages.ORDER);
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile Cluster cluster;
    private volatile long appliedPosition;
    /** Whether the log's first leadership term event was seen (service thread only). */
    private boolean logBegan;

    LedgerClusteredService(LogApplier applier, ReadBarriers barriers, int memberId) {
        this.applier = applier;
        this.barriers = barriers;
        this.memberId = memberId;
    }

    Cluster.Role role() {
        return role;
    }

    @Override
    public void onStart(Cluster cluster, Image snapshotImage) {
        this.cluster = cluster;
        if (snapshotImage != null) {
            throw new IllegalStateException("this ledger takes no cluster snapshots, but the cluster started from one:"
                + " it was taken by a tool; remove it (docs/CLUSTER.md) so the log is replayed whole");
        }
    }

    @Override
    public void onSessionOpen(ClientSession session, long timestamp) {
        appliedPosition = cluster.logPosition(); // sessions are the members' ingress clients; nothing else to keep
    }

    @Override
    public void onSessionClose(ClientSession session, long timestamp, CloseReason closeReason) {
        appliedPosition = cluster.logPosition();
    }

    @Override
    public void onSessionMessage(ClientSession session, long timestamp, DirectBuffer buffer, int offset, int length,
                                 Header header) {
        if (length > scratch.capacity()) {
            scratch = ByteBuffer.allocateDirect(Integer.highestOneBit(length - 1) << 1).order(LogMessages.ORDER);
        }
        buffer.getBytes(offset, scratch, 0, length);
        if (LogMessages.type(scratch, 0) == LogMessages.BARRIER) {
            if (LogMessages.origin(scratch, 0) == memberId) {
                barriers.applied(LogMessages.correlation(scratch, 0));
            }
        } else {
            applier.apply(scratch, 0, length, header.position(), timestamp);
        }
        appliedPosition = header.position();
    }

    /**
     * The first of these this service sees, on every start, is the one that began the log (the log
     * is replayed whole): its cluster time seeds the ids, before any message is applied.
     */
    @Override
    public void onNewLeadershipTermEvent(long leadershipTermId, long logPosition, long timestamp,
                                         long termBaseLogPosition, int leaderMemberId, int logSessionId,
                                         TimeUnit timeUnit, int appVersion) {
        if (!logBegan) {
            logBegan = true;
            applier.logBegan(timeUnit.toNanos(timestamp));
        }
    }

    @Override
    public void onTimerEvent(long correlationId, long timestamp) {
        // No timers.
    }

    @Override
    public void onTakeSnapshot(ExclusivePublication snapshotPublication) {
        LOG.log(System.Logger.Level.WARNING, "a cluster snapshot was requested; this ledger writes none (its log is"
            + " replayed whole on restart), so the snapshot is empty and must not be used to start from");
    }

    @Override
    public void onRoleChange(Cluster.Role newRole) {
        role = newRole;
        LOG.log(System.Logger.Level.INFO, "member " + memberId + " is now " + newRole);
    }

    @Override
    public void onTerminate(Cluster cluster) {
        LOG.log(System.Logger.Level.INFO, "member " + memberId + " service terminating");
    }

    /** The log position this member's service has processed up to (writes, barriers, session events); 0 before any. */
    long appliedPosition() {
        return appliedPosition;
    }
}
