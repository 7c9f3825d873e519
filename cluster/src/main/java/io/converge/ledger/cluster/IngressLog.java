package io.converge.ledger.cluster;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import org.agrona.concurrent.ControlledMessageHandler;
import io.aeron.logbuffer.Header;
import io.converge.ledger.core.LogApplier;
import io.converge.ledger.core.LogMessages;
import io.converge.ledger.core.ReplicatedLog;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * This member's way into the cluster's log: the {@link ReplicatedLog} its ledger's ring
 * forwards to. {@link #offer} copies a message into a one-to-one ring buffer; the
 * {@code ledger-ingress} agent, the only user of this member's {@link AeronCluster} client,
 * offers them to the leader in order, sends read barriers, keeps the session alive,
 * reconnects after a change of leader, and times out writes and barriers not applied here in
 * time. The client follows a new leader on its own (Aeron's NewLeaderEvent).
 *
 * <p>{@link #offer} is the ring's forwarding thread's; {@link #doWork} the agent's.
 */
final class IngressLog implements ReplicatedLog, Agent {
    private static final System.Logger LOG = System.getLogger(IngressLog.class.getName());
    /** Aeron's largest message on a 64 MiB term (an eighth of it), less room for the session header. */
    static final int MAX_MESSAGE_BYTES = (8 << 20) - 64;
    private static final int RING_BYTES = 64 << 20;
    private static final int MESSAGE = 1;
    private static final long KEEPALIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long PERIODIC_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ClusterSettings settings;
    private final String aeronDirectory;
    private final OneToOneRingBuffer toSend = new OneToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final UnsafeBuffer offered = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer barrier = new UnsafeBuffer(ByteBuffer.allocateDirect(LogMessages.BARRIER_BYTES));
    private final ReadBarriers barriers;
    /** {@link #send}, made once rather than per duty cycle. */
    private final ControlledMessageHandler sender = this::send;
    private volatile LogApplier applier;
    private volatile String state = "connecting to the cluster";
    private volatile boolean connected;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster cluster;
    private long lastSentNanos;
    /** The correlation of the last message the client took (ingress thread; read by the egress listener on it too). */
    private long lastSentCorrelation;
    private long lastSweepNanos;
    private long lastPeriodicNanos;
    private final Runnable periodic;

    /** @param periodic run on the ingress thread about every second (the member's snapshot check) */
    IngressLog(ClusterSettings settings, String aeronDirectory, Runnable periodic) {
        this.settings = settings;
        this.periodic = periodic;
        this.aeronDirectory = aeronDirectory;
        this.barriers = new ReadBarriers(commitTimeoutNanos());
    }

    void applier(LogApplier applier) {
        this.applier = applier;
    }

    ReadBarriers barriers() {
        return barriers;
    }

    /** Whether the client holds a session with a leader now. */
    boolean connected() {
        return connected;
    }

    @Override
    public int memberId() {
        return settings.memberId();
    }

    @Override
    public long idBits() {
        return settings.members().idBits();
    }

    @Override
    public int maxMessageBytes() {
        return MAX_MESSAGE_BYTES;
    }

    @Override
    public long commitTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(settings.commitTimeoutMillis());
    }

    @Override
    public boolean offer(ByteBuffer message) {
        if (!connected) {
            return false;
        }
        offered.wrap(message, message.position(), message.remaining());
        if (toSend.write(MESSAGE, offered, 0, message.remaining())) {
            return true;
        }
        state = "this member's ingress queue is full";
        return false;
    }

    @Override
    public String unavailableReason() {
        return state;
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        return barriers.join();
    }

    @Override
    public String roleName() {
        return "ledger-ingress";
    }

    @Override
    public int doWork() {
        long now = System.nanoTime();
        int work = 0;
        if (now - lastSweepNanos > SWEEP_NANOS) {
            lastSweepNanos = now;
            LogApplier a = applier;
            if (a != null) {
                a.expireOverdue(now);
            }
            barriers.expire(now, state);
        }
        if (now - lastPeriodicNanos > PERIODIC_NANOS) {
            lastPeriodicNanos = now;
            try {
                periodic.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the member's periodic check failed", e);
            }
        }
        if (cluster == null || cluster.isClosed()) {
            return work + connect();
        }
        work += cluster.pollEgress();
        work += toSend.controlledRead(sender, 64);
        long id = barriers.toSend();
        if (id != 0) {
            LogMessages.writeBarrier(barrier.byteBuffer().order(LogMessages.ORDER), 0, memberId(), id);
            if (cluster.offer(barrier, 0, LogMessages.BARRIER_BYTES) > 0) {
                barriers.sent(id);
                lastSentNanos = now;
                work++;
            }
        }
        if (now - lastSentNanos > KEEPALIVE_NANOS && cluster.sendKeepAlive()) {
            lastSentNanos = now;
        }
        return work;
    }

    private ControlledMessageHandler.Action send(int type, MutableDirectBuffer buffer, int index, int length) {
        long result = cluster.offer(buffer, index, length);
        if (result > 0) {
            lastSentNanos = System.nanoTime();
            lastSentCorrelation = buffer.getLong(index + 8, LogMessages.ORDER);
            return ControlledMessageHandler.Action.COMMIT;
        }
        if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED
            || result == Publication.MAX_POSITION_EXCEEDED) {
            connected = false;
            state = "this member lost its session with the leader";
            cluster.close();
        }
        return ControlledMessageHandler.Action.ABORT;
    }

    private int connect() {
        if (connected) {
            connected = false;
            state = "this member lost its session with the leader; reconnecting";
        }
        try {
            if (connecting == null) {
                connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                    .aeronDirectoryName(aeronDirectory)
                    .ingressChannel("aeron:udp?term-length=64m")
                    .ingressEndpoints(settings.members().ingressEndpoints())
                    .egressChannel("aeron:udp?endpoint=" + settings.self().host() + ":0")
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                    .egressListener(new Egress()));
            }
            AeronCluster c = connecting.poll();
            if (c == null) {
                return 0;
            }
            connecting = null;
            cluster = c;
            connected = true;
            state = "connected to leader " + c.leaderMemberId();
            LOG.log(System.Logger.Level.INFO, "member " + memberId() + " " + state);
            return 1;
        } catch (RuntimeException e) {
            if (connecting != null) {
                connecting.close();
            }
            connecting = null;
            state = "no leader answered: " + e.getMessage();
            return 0;
        }
    }

    @Override
    public void onClose() {
        connected = false;
        state = "this member is shutting down";
        if (connecting != null) {
            connecting.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Nothing comes back on the egress but session events: replies come from this member's own service. */
    private final class Egress implements EgressListener {
        @Override
        public void onMessage(long clusterSessionId, long timestamp, DirectBuffer buffer, int offset, int length,
                              Header header) {
            // The service sends nothing to clients.
        }

        @Override
        public void onNewLeader(long clusterSessionId, long leadershipTermId, int leaderMemberId, String ingressEndpoints) {
            state = "connected to leader " + leaderMemberId;
            LOG.log(System.Logger.Level.INFO, "member " + memberId() + " follows new leader " + leaderMemberId);
            LogApplier a = applier;
            if (a != null) {
                // What the old leader took and did not commit is lost; its callers need not wait out the timeout.
                a.abandonSentUpTo(lastSentCorrelation, "the cluster's leader changed (now member " + leaderMemberId
                    + ") before this write was applied here");
            }
        }
    }
}
