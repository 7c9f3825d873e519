package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The edge's bounds on connections ({@link NettyEdge}), on a real Netty server on loopback
 * set up as the server main sets it up: the connection cap, the handshake and idle
 * timeouts, and where the gRPC and metrics ports listen.
 */
class ConnectionLimitsTest {
    private static final long DEADLINE = LedgerFixture.DEADLINE_SECONDS;

    private LedgerFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private LedgerFixture start(ServerLimits limits) throws IOException {
        fixture = LedgerFixture.start(Transport.NETTY, ServerSettings.defaults().withMetricsPort(0).withLimits(limits));
        return fixture;
    }

    private static HealthCheckResponse.ServingStatus health(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static long append(ManagedChannel channel) {
        return ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE, TimeUnit.SECONDS)
            .append(AppendRequest.newBuilder().setContextId("c").setKey("k")
                .setPayload(ByteString.copyFromUtf8("p")).build()).getEntry().getSequence();
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceWhileTheOpenOnesGoOn() throws Exception {
        start(ServerLimits.defaults().withMaxConnections(3));
        List<ManagedChannel> open = new ArrayList<>(List.of(fixture.channel, fixture.openStockChannel(),
            fixture.openStockChannel()));
        for (ManagedChannel c : open) {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, health(c));
        }
        MetricsClient metrics = new MetricsClient(fixture.server.metricsPort());
        assertEquals(3.0, metrics.scrape().get("ledger_connections_open"));

        ManagedChannel fourth = fixture.openStockChannel();
        long start = System.nanoTime();
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> health(fourth));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(),
            "refused at once, not left to its deadline, after " + millis + " ms: " + refused.getStatus());
        for (ManagedChannel c : open) {
            assertTrue(append(c) > 0, "an open connection goes on");
        }
        Map<String, Double> scraped = metrics.scrape();
        assertEquals(3.0, scraped.get("ledger_connections_open"));
        assertTrue(scraped.get("ledger_connections_refused_total") >= 1.0, scraped.toString());

        ManagedChannel closed = open.remove(2);
        closed.shutdownNow();
        assertTrue(closed.awaitTermination(DEADLINE, TimeUnit.SECONDS));
        ManagedChannel later = fixture.openStockChannel();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE);
        while (true) { // the server sees the closed connection go shortly after the client does
            try {
                assertTrue(append(later) > 0, "a connection that finds room is served");
                break;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > until) {
                    throw e;
                }
                later.resetConnectBackoff();
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aConnectionThatNeverSpeaksIsClosedAfterTheHandshakeTimeout() throws Exception {
        start(ServerLimits.defaults().withTimeouts(200, ServerLimits.DEFAULT_CONNECTION_IDLE_MILLIS));
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), fixture.server.port())) {
            silent.setSoTimeout((int) TimeUnit.SECONDS.toMillis(DEADLINE));
            InputStream in = silent.getInputStream();
            try {
                while (in.read() >= 0) {
                    continue; // whatever the server sends (its HTTP/2 settings) before it closes
                }
            } catch (SocketTimeoutException e) {
                fail("the server kept a connection that never sent its handshake for " + DEADLINE + " s");
            } catch (SocketException reset) {
                // closed by the server: as good as an end of stream
            }
        }
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health(fixture.channel), "and serves others");
    }

    @Test
    void aConnectionWithoutCallsIsClosedAfterTheIdleTimeout() throws Exception {
        start(ServerLimits.defaults().withTimeouts(ServerLimits.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, 200));
        assertTrue(append(fixture.channel) > 0);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE);
        while (fixture.channel.getState(false) == ConnectivityState.READY) {
            assertTrue(System.nanoTime() < until, "the idle connection was not closed within " + DEADLINE + " s");
            Thread.sleep(20);
        }
        assertTrue(append(fixture.channel) > 0, "the client reconnects when it has a call to make");
    }

    @Test
    void theMetricsPortListensOnLoopbackUnlessToldOtherwise() throws Exception {
        assertEquals(ServerLimits.LOOPBACK, ServerLimits.defaults().metricsBindAddress());
        start(ServerLimits.defaults());
        int port = fixture.server.metricsPort();
        new MetricsClient(port).get("/metrics");
        InetAddress other = nonLoopbackAddress();
        assumeTrue(other != null, "this machine has no address but loopback");

        assertThrows(ConnectException.class, () -> connect(other, port), "metrics are not served on " + other);
        assertThrows(ConnectException.class, () -> connect(other, fixture.server.port()),
            "nor is gRPC, bound to loopback here by LEDGER_BIND_ADDRESS");
    }

    @Test
    void theMetricsPortListensWhereItIsToldTo() throws Exception {
        InetAddress other = nonLoopbackAddress();
        assumeTrue(other != null, "this machine has no address but loopback");
        start(ServerLimits.defaults().withBindAddresses(ServerLimits.LOOPBACK, ServerLimits.ANY_ADDRESS));

        connect(other, fixture.server.metricsPort());
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) TimeUnit.SECONDS.toMillis(DEADLINE));
            assertNotNull(s.getRemoteSocketAddress());
        }
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
