package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.ledger.cluster.ClusterNode;
import io.converge.ledger.cluster.ClusterSettings;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.transport.logging.RefusalLog;
import io.converge.ledger.transport.metrics.GrpcCallCounter;
import io.converge.ledger.transport.metrics.LedgerMetrics;
import io.converge.ledger.transport.metrics.MetricsHttpServer;
import io.converge.ledger.transport.metrics.RingWaits;
import io.converge.ledger.transport.metrics.WatchStalls;
import io.converge.ledger.transport.security.TokenAuthInterceptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.util.MutableHandlerRegistry;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running ledger behind gRPC: the {@link ContextGrpcService}, the standard health
 * service and server reflection, on whatever transport the given builder makes (Netty
 * on a port, or in-process in tests). Owns its {@link Ledger}.
 *
 * <p>When {@link ServerSettings#metricsOn()}, it also owns a Prometheus meter registry
 * with the {@link LedgerMetrics} bound to it (its call counter intercepts every service)
 * and the {@link MetricsHttpServer} that serves them; otherwise there is neither, and no
 * interceptor. The HTTP endpoint stops last, so a scrape can watch the shutdown.
 *
 * <p>{@link #close()} shuts down gracefully: health turns NOT_SERVING, the server stops
 * accepting calls, the ledger finishes every command already in its ring (their callers
 * get their answers) and ends every Watch stream with UNAVAILABLE and the sequence to resume
 * after, then the server waits for the remaining calls up to the shutdown grace, and cuts
 * what is left. Thread-safe; idempotent.
 */
public final class LedgerServer implements RunningServer {
    /** How long a shutdown waits, after the grace, for the cut streams and connections to go. */
    private static final long CUT_SECONDS = 2;

    private final Ledger ledger;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;
    /** Null when metrics are off, like the two below. */
    private final PrometheusMeterRegistry registry;
    private final LedgerMetrics metrics;
    private final MetricsHttpServer metricsHttp;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final GrpcServerOptions options;
    private final RingWaits ringWaits;
    /** Null when token authentication is off. */
    private final TokenAuthInterceptor auth;
    private final WireBatchParsing parsing;
    private final long shutdownGraceNanos;
    private final OpenAppendStreams appendStreams = new OpenAppendStreams();
    private final WatchStreams watches;

    /** The gRPC health service name that is SERVING on a cluster's leader only. */
    public static final String CLUSTER_LEADER_HEALTH = "converge.ledger.cluster.Leader";

    /** Cluster mode: this member of the cluster, which owns the ledger; null standalone. */
    private final ClusterNode node;

    private LedgerServer(ServerBuilder<?> builder, ServerSettings settings, WatchBytesBudget watchBytes,
                         ClusterSettings cluster) throws IOException {
        this.shutdownGraceNanos = TimeUnit.MILLISECONDS.toNanos(settings.limits().shutdownGraceMillis());
        ReplyCoalescer replies = new ReplyCoalescer();
        RingRoomWait ringRoom = new RingRoomWait(settings.ledger().ringFullWaitNanos());
        this.ringWaits = ringRoom;
        this.options = new GrpcServerOptions(settings);
        builder.intercept(new RefusalLog());
        this.parsing = new WireBatchParsing(settings.limits().parseBudgetBytes());
        GrpcCallCounter callCounter = null;
        // added before the call counter, so it runs after it: refused calls are counted too
        this.auth = settings.security().newInterceptor();
        if (auth != null) {
            builder.intercept(auth);
        }
        if (settings.metricsOn()) {
            this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            callCounter = new GrpcCallCounter(registry);
            parsing.bindTo(registry);
            builder.intercept(callCounter);
            builder.intercept(new WatchStalls(registry));
            if (auth != null) {
                auth.bindTo(registry);
            }
        } else {
            this.registry = null;
        }
        // Until recovery is done, health says NOT_SERVING and the ledger's rpcs answer UNAVAILABLE;
        // then the real service replaces the refusing one in the same registry.
        MutableHandlerRegistry services = new MutableHandlerRegistry();
        services.addService(Refusing.every(ContextServiceGrpc.getServiceDescriptor(), Status.UNAVAILABLE
            .withDescription("the ledger is recovering its entries from its data directory; retry shortly")));
        this.server = options.applyTo(builder)
            .fallbackHandlerRegistry(services)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(LegacyReflection.service())
            .build();
        serving(ServingStatus.NOT_SERVING);
        Ledger started = null;
        ClusterNode member = null;
        LedgerMetrics bound = null;
        try {
            server.start();
            if (cluster == null) {
                started = Ledger.start(settings.ledger(), replies);
            } else {
                LedgerConfig config = cluster.memberLedger(settings.ledger());
                member = ClusterNode.start(cluster, log -> Ledger.startReplicated(config, replies, log));
                started = member.ledger();
            }
            bound = settings.metricsOn() ? LedgerMetrics.bind(registry, started, ringRoom, callCounter) : null;
            this.metricsHttp = settings.metricsOn()
                ? MetricsHttpServer.start(settings.limits().metricsBindAddress(), settings.metricsPort(), registry,
                    started.latency(), settings.security().tlsOn() ? settings.security().tls() : null)
                : null;
        } catch (IOException | RuntimeException e) {
            server.shutdownNow();
            if (member != null) {
                member.close();
            } else if (started != null) {
                started.close();
            }
            options.close();
            parsing.close();
            if (bound != null) {
                bound.close();
            }
            if (registry != null) {
                registry.close();
            }
            throw e;
        }
        this.metrics = bound;
        this.ledger = started;
        this.node = member;
        if (member != null && registry != null) {
            ClusterMetrics.bind(registry, member);
        }
        if (member != null) {
            // A health name a load balancer can route writes by: SERVING on the leader only.
            member.onRoleChange(role -> health.setStatus(CLUSTER_LEADER_HEALTH,
                "LEADER".equals(role) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING));
        }
        SnapshotTransfers transfers = new SnapshotTransfers(ledger, options.transfers(),
            new TransferBudget(settings.limits().transferBudgetBytes()), settings.maxInboundMessageBytes(),
            SnapshotTransfers.stagingDirectory(settings));
        this.watches = new WatchStreams(ledger, settings.limits().maxWatchers(), settings.getResponseCapBytes(),
            new EncodedEntries(EncodedEntries.defaultCapBytes()), watchBytes);
        ContextGrpcService service = new ContextGrpcService(ledger, new GetPager(settings.getResponseCapBytes()), replies,
            ringRoom, options.reads(), transfers, watches, appendStreams);
        services.addService(InvalidArgumentOnParseFailure.wrap(service.definition(parsing)));
        serving(ServingStatus.SERVING);
        ledger.onFailure(() -> serving(ServingStatus.NOT_SERVING));
    }

    /** Health of the server as a whole and of the ledger's service, which always go together. */
    private void serving(ServingStatus status) {
        health.setStatus("", status);
        health.setStatus(ContextServiceGrpc.SERVICE_NAME, status);
    }

    /**
     * Serves on {@code builder}'s transport and starts a ledger behind it: health says
     * NOT_SERVING, and the ledger's rpcs answer UNAVAILABLE, until the ledger recovered its
     * entries; then SERVING. Returns once serving.
     *
     * @throws IOException           when the server cannot bind
     * @throws IllegalStateException when the ledger cannot start on its data directory (held by
     *                               another server, or damaged), with a message saying why
     */
    public static LedgerServer start(ServerBuilder<?> builder, ServerSettings settings) throws IOException {
        return new LedgerServer(builder, settings, WatchBytesBudget.defaults(), null);
    }

    /**
     * As {@link #start(ServerBuilder, ServerSettings)}; with {@code cluster} not null, as that member
     * of a ledger cluster (docs/CLUSTER.md): returns once this member serves, without waiting for
     * a leader (writes are answered UNAVAILABLE until there is one).
     */
    public static LedgerServer start(ServerBuilder<?> builder, ServerSettings settings, ClusterSettings cluster)
        throws IOException {
        return new LedgerServer(builder, settings, WatchBytesBudget.defaults(), cluster);
    }

    /** As {@link #start(ServerBuilder, ServerSettings)}, with a watch-bytes budget of the caller's (tests). */
    static LedgerServer start(ServerBuilder<?> builder, ServerSettings settings, WatchBytesBudget watchBytes)
        throws IOException {
        return new LedgerServer(builder, settings, watchBytes, null);
    }

    /** As {@link #start(ServerBuilder, ServerSettings, ClusterSettings)}, with a watch-bytes budget of the caller's. */
    static LedgerServer start(ServerBuilder<?> builder, ServerSettings settings, WatchBytesBudget watchBytes,
                              ClusterSettings cluster) throws IOException {
        return new LedgerServer(builder, settings, watchBytes, cluster);
    }

    @Override
    public int port() {
        return server.getPort();
    }

    /** The port of the HTTP metrics endpoint, or -1 when metrics are off. */
    @Override
    public int metricsPort() {
        return metricsHttp == null ? -1 : metricsHttp.port();
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Cluster mode: this member; null standalone. */
    public ClusterNode clusterNode() {
        return node;
    }

    /**
     * Reads the tokens file again (on SIGHUP): its tokens replace the current ones when it checks
     * out, else the current ones stay and the reason is logged. Open connections and calls go on.
     *
     * @return whether the file's tokens are now in force; false also when authentication is off
     */
    public boolean reloadTokens() {
        return auth != null && auth.reload();
    }

    /** The token check, or {@code null} when authentication is off. */
    public TokenAuthInterceptor auth() {
        return auth;
    }

    /** The meter registry the metrics endpoint serves, or null when metrics are off; the edge adds its meters to it. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** How calls fared that found the ring full (also served as metrics). */
    public RingWaits ringWaits() {
        return ringWaits;
    }

    /** The Watch and WatchBatches streams: their count, shared encodings and bytes budget. */
    WatchStreams watches() {
        return watches;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Shuts down within the grace ({@code LEDGER_SHUTDOWN_GRACE_MS}) plus a bounded cut:
     * health turns NOT_SERVING; the server takes no new calls; each AppendStream answers
     * the batches in hand and ends with UNAVAILABLE; the ledger answers every command in its
     * ring and ends each Watch and WatchBatches stream with UNAVAILABLE naming the sequence
     * to resume after. Streams still open when the grace is over (a client that reads
     * nothing) are cut, which the client also sees as UNAVAILABLE. Never ends a stream with
     * OK. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + shutdownGraceNanos;
        health.enterTerminalState();
        server.shutdown();
        appendStreams.shutdown();
        if (node != null) {
            node.close(); // its ingress, then its service, then the ledger, then Aeron
        } else {
            ledger.close();
        }
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!server.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                server.shutdownNow();
                server.awaitTermination(CUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            options.close();
            parsing.close();
            if (metricsHttp != null) {
                metricsHttp.close();
            }
            closeMetrics();
        }
    }

    private void closeMetrics() {
        if (metrics != null) {
            metrics.close();
            registry.close();
        }
    }
}
