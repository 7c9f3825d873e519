package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.WatchRequest;
import io.converge.ledger.transport.security.Role;
import io.converge.ledger.transport.security.ServerSecurity;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token authentication: every rpc, over both transports, with no token, an unknown token, and
 * the token of each role. A token whose role covers the rpc reaches the service (whatever it
 * then answers); a smaller role gets PERMISSION_DENIED naming the role needed; no or an unknown
 * token gets UNAUTHENTICATED. Health is open; reflection needs read.
 */
class TokenAuthContractTest {
    private static final Map<Role, String> TOKENS = new EnumMap<>(Map.of(
        Role.READ, "read-token-0123456789abcdef",
        Role.WRITE, "write-token-0123456789abcdef",
        Role.ADMIN, "admin-token-0123456789abcdef"));
    private static final String WRONG = "wrong-token-0123456789abcdef";

    @TempDir
    static Path dir;
    private static final Map<Transport, LedgerFixture> SERVERS = new EnumMap<>(Transport.class);

    /** An rpc, the role it needs ({@code null}: open), and a request that the service would accept or refuse. */
    record Rpc(String name, Role needed, MethodDescriptor<Object, Object> method, Object request) {
        @SuppressWarnings("unchecked")
        static Rpc of(Role needed, MethodDescriptor<?, ?> method, Object request) {
            String full = method.getFullMethodName();
            return new Rpc(full.substring(full.lastIndexOf('/') + 1), needed, (MethodDescriptor<Object, Object>) method,
                request);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The token a case sends. */
    enum Caller { NONE, WRONG, READ, WRITE, ADMIN }

    static List<Rpc> rpcs() {
        String ctx = "auth-ctx";
        AppendRequest append = AppendRequest.newBuilder().setContextId(ctx).setPayload(ByteString.copyFromUtf8("x"))
            .build();
        return List.of(
            Rpc.of(Role.READ, ContextServiceGrpc.getGetMethod(), GetRequest.newBuilder().setContextId(ctx).build()),
            Rpc.of(Role.READ, ContextServiceGrpc.getWatchMethod(), WatchRequest.newBuilder().setContextId(ctx).build()),
            Rpc.of(Role.READ, ContextServiceGrpc.getWatchBatchesMethod(),
                WatchRequest.newBuilder().setContextId(ctx).build()),
            Rpc.of(Role.READ, ContextServiceGrpc.getSnapshotMethod(),
                SnapshotRequest.newBuilder().setContextId(ctx).build()),
            Rpc.of(Role.READ, ContextServiceGrpc.getSnapshotChunksMethod(),
                SnapshotRequest.newBuilder().setContextId(ctx).build()),
            Rpc.of(Role.WRITE, ContextServiceGrpc.getAppendMethod(), append),
            Rpc.of(Role.WRITE, ContextServiceGrpc.getAppendBatchMethod(),
                AppendBatchRequest.newBuilder().addEntries(append).build()),
            Rpc.of(Role.WRITE, ContextServiceGrpc.getAppendStreamMethod(),
                AppendBatchRequest.newBuilder().addEntries(append).build()),
            Rpc.of(Role.ADMIN, ContextServiceGrpc.getLoadMethod(), LoadRequest.newBuilder().setContextId("auth-load")
                .setSnapshot(ByteString.copyFromUtf8("not a snapshot")).build()),
            Rpc.of(Role.ADMIN, ContextServiceGrpc.getLoadChunksMethod(), LoadChunk.newBuilder()
                .setContextId("auth-load").setData(ByteString.copyFromUtf8("not a snapshot")).build()),
            Rpc.of(Role.READ, ServerReflectionGrpc.getServerReflectionInfoMethod(),
                ServerReflectionRequest.newBuilder().setListServices("").build()),
            Rpc.of(null, HealthGrpc.getCheckMethod(), HealthCheckRequest.getDefaultInstance()));
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Transport transport : Transport.STANDALONE) {
            for (Rpc rpc : rpcs()) {
                for (Caller caller : Caller.values()) {
                    cases.add(Arguments.of(transport, rpc, caller));
                }
            }
        }
        return cases;
    }

    @BeforeAll
    static void startServers() throws IOException {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# role per token\n" + TOKENS.get(Role.READ) + " read\n"
            + TOKENS.get(Role.WRITE) + "\twrite\n\n" + TOKENS.get(Role.ADMIN) + " admin\n");
        ServerSettings settings = ServerSettings.defaults().withMetricsPort(0)
            .withSecurity(ServerSecurity.none().withTokens(tokens));
        for (Transport transport : Transport.STANDALONE) {
            LedgerFixture fixture = LedgerFixture.start(transport, settings);
            SERVERS.put(transport, fixture);
            // one entry, so that a Watch admitted gets a first message at once
            ContextServiceGrpc.newBlockingStub(fixture.channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(TOKENS.get(Role.WRITE))))
                .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
                .append(AppendRequest.newBuilder().setContextId("auth-ctx").build());
        }
    }

    @AfterAll
    static void stopServers() {
        SERVERS.values().forEach(LedgerFixture::close);
    }

    private static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return headers;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void anRpcIsServedOnlyToATokenWhoseRoleCoversIt(Transport transport, Rpc rpc, Caller caller) throws Exception {
        Metadata headers = switch (caller) {
            case NONE -> new Metadata();
            case WRONG -> bearer(WRONG);
            default -> bearer(TOKENS.get(Role.valueOf(caller.name())));
        };
        Status status = CallProbe.probe(SERVERS.get(transport).channel, rpc.method(), rpc.request(), headers);
        if (rpc.needed() == null) {
            assertEquals(Status.Code.OK, status.getCode(), "health is open: " + status);
            return;
        }
        switch (caller) {
            case NONE -> {
                assertEquals(Status.Code.UNAUTHENTICATED, status.getCode(), status.toString());
                assertTrue(status.getDescription().contains("Bearer"), status.getDescription());
            }
            case WRONG -> {
                assertEquals(Status.Code.UNAUTHENTICATED, status.getCode(), status.toString());
                assertFalse(status.getDescription().contains(WRONG), "the token is never echoed");
            }
            default -> {
                Role role = Role.valueOf(caller.name());
                if (role.covers(rpc.needed())) {
                    assertNotEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode(), status.toString());
                    assertNotEquals(Status.Code.UNAUTHENTICATED, status.getCode(), status.toString());
                    assertNotEquals(Status.Code.PERMISSION_DENIED, status.getCode(), status.toString());
                } else {
                    assertEquals(Status.Code.PERMISSION_DENIED, status.getCode(), status.toString());
                    assertEquals(rpc.name() + " needs the " + rpc.needed().label() + " role; this token has "
                        + role.label(), status.getDescription());
                }
            }
        }
    }

    @Test
    void refusalsAreCountedByReasonAndServedAsAMeter() throws Exception {
        LedgerFixture fixture = SERVERS.get(Transport.NETTY);
        long before = fixture.server.auth().refusals("unknown");
        Status status = CallProbe.probe(fixture.channel, ContextServiceGrpc.getGetMethod(),
            GetRequest.newBuilder().setContextId("auth-ctx").build(), bearer(WRONG));
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
        assertEquals(before + 1, fixture.server.auth().refusals("unknown"));
        MetricsClient metrics = new MetricsClient(fixture.server.metricsPort());
        assertTrue(metrics.value("ledger_auth_refusals_total{reason=\"unknown\"}") >= 1);
        assertTrue(metrics.value("ledger_grpc_calls_total{method=\"converge.context.v1.ContextService/Get\","
            + "status=\"UNAUTHENTICATED\"}") >= 1, "refused calls are counted as calls too");
    }
}
