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

/**
 * The clustered service: Aeron Cluster calls it, on its one service thread, with every
 * committed message of the log in order, on every member; it hands writes to the ledger's
 * {@link LogApplier} and this member's own read barriers to {@link ReadBarriers}. It keeps
 * no state of its own: the store is the state, rebuilt when a member starts from its latest
 * {@link MemberSnapshot} (if any) and the log after it.
 */
final class LedgerClusteredService implements ClusteredService {
    private static final System.Logger LOG = System.getLogger(LedgerClusteredService.class.getName());

    private final LogApplier applier;
    private final ReadBarriers barriers;
    private final int memberId;
    private ByteBuffer scratch = ByteBuffer.allocateDirect(1 << 16).order(LogMessages.ORDER);
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile java.util.function.Consumer<String> roleListener = r -> { };
    private volatile Cluster cluster;
    private volatile long appliedPosition;
    private volatile long snapshots;
    private volatile int restoredContexts;

    LedgerClusteredService(LogApplier applier, ReadBarriers barriers, int memberId) {
        this.applier = applier;
        this.barriers = barriers;
        this.memberId = memberId;
    }

    Cluster.Role role() {
        return role;
    }

    void onRoleChange(java.util.function.Consumer<String> listener) {
        this.roleListener = listener;
        listener.accept(role.name());
    }

    @Override
    public void onStart(Cluster cluster, Image snapshotImage) {
        this.cluster = cluster;
        if (snapshotImage != null) {
            MemberSnapshot.read(snapshotImage, applier, cluster.idleStrategy());
            restoredContexts = applier.contextIds().size();
            LOG.log(System.Logger.Level.INFO, "member " + memberId + " restored its snapshot: "
                + applier.contextIds().size() + " contexts; replaying the log after it");
        }
        appliedPosition = cluster.logPosition();
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

    @Override
    public void onTimerEvent(long correlationId, long timestamp) {
        // No timers.
    }

    @Override
    public void onTakeSnapshot(ExclusivePublication snapshotPublication) {
        long started = System.nanoTime();
        MemberSnapshot.write(applier, snapshotPublication, cluster.idleStrategy(), cluster.time());
        snapshots++;
        LOG.log(System.Logger.Level.INFO, "member " + memberId + " took a snapshot at log position "
            + cluster.logPosition() + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** Contexts this member restored from a snapshot when it started (0: it replayed the whole log). */
    int restoredContexts() {
        return restoredContexts;
    }

    /** Snapshots this member has written since it started. */
    long snapshots() {
        return snapshots;
    }

    @Override
    public void onRoleChange(Cluster.Role newRole) {
        role = newRole;
        try {
            roleListener.accept(newRole.name());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the role listener failed", e);
        }
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
