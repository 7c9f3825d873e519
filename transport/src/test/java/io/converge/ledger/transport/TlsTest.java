package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.ledger.transport.security.ServerSecurity;
import io.converge.ledger.transport.security.TestCertificates;
import io.converge.ledger.transport.security.TlsFiles;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on a real Netty server with a CA made at test time: a client that trusts the CA is
 * served; a plain-text client fails with UNAVAILABLE (not a hang); with a client CA, a client
 * without a certificate is refused and one with a certificate the CA signed is served; the
 * metrics endpoint serves HTTPS with the same certificate.
 */
class TlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.make(dir.resolve("pki"));
    }

    private static LedgerServer serve(Path clientCa) throws IOException {
        ServerSecurity security = ServerSecurity.none().withTls(TlsFiles.load(certs.serverCert, certs.serverKey, clientCa));
        return LedgerServer.start(NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), security.serverCredentials()),
            ServerSettings.defaults().withMetricsPort(0).withSecurity(security));
    }

    private static ManagedChannel channel(int port, ChannelCredentials credentials) {
        return NettyChannelBuilder.forAddress("localhost", port, credentials).build();
    }

    private static long append(ManagedChannel channel) {
        return ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS,
            TimeUnit.SECONDS).append(AppendRequest.newBuilder().setContextId("tls").build()).getEntry().getSequence();
    }

    private static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aClientThatTrustsTheAuthorityIsServedAndAPlainTextClientFailsCleanly() throws Exception {
        try (LedgerServer server = serve(null)) {
            ManagedChannel tls = channel(server.port(), TlsChannelCredentials.newBuilder()
                .trustManager(certs.caCert.toFile()).build());
            ManagedChannel plain = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                assertEquals(1, append(tls));
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ContextServiceGrpc
                    .newBlockingStub(plain).withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .get(GetRequest.newBuilder().setContextId("tls").build()));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            } finally {
                close(tls);
                close(plain);
            }
        }
    }

    @Test
    void aClientThatDoesNotTrustTheServersAuthorityIsRefused() throws Exception {
        try (LedgerServer server = serve(null)) {
            // trusts only the client certificate, which did not sign the server's
            ManagedChannel stranger = channel(server.port(), TlsChannelCredentials.newBuilder()
                .trustManager(certs.clientCert.toFile()).build());
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> append(stranger));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            } finally {
                close(stranger);
            }
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateAndServesOneWithIt() throws Exception {
        try (LedgerServer server = serve(certs.caCert)) {
            ManagedChannel anonymous = channel(server.port(), TlsChannelCredentials.newBuilder()
                .trustManager(certs.caCert.toFile()).build());
            ManagedChannel known = channel(server.port(), TlsChannelCredentials.newBuilder()
                .trustManager(certs.caCert.toFile()).keyManager(certs.clientCert.toFile(), certs.clientKey.toFile())
                .build());
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> append(anonymous));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
                assertEquals(1, append(known));
            } finally {
                close(anonymous);
                close(known);
            }
        }
    }

    @Test
    void metricsAreServedOverHttpsWithTheSameCertificate() throws Exception {
        try (LedgerServer server = serve(null)) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certs.caCert))
                .connectTimeout(Duration.ofSeconds(LedgerFixture.DEADLINE_SECONDS)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(LedgerFixture.DEADLINE_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("ledger_appends_total"), response.body());
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(LedgerFixture.DEADLINE_SECONDS))
                .build();
            assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + server.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(LedgerFixture.DEADLINE_SECONDS)).build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void badTlsSettingsNameTheVariable() throws Exception {
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
            () -> ServerSecurity.fromEnvironment(Map.of("LEDGER_TLS_CERT_FILE", certs.serverCert.toString())));
        assertTrue(half.getMessage().contains("LEDGER_TLS_KEY_FILE"), half.getMessage());
        IllegalArgumentException swapped = assertThrows(IllegalArgumentException.class,
            () -> ServerSecurity.fromEnvironment(Map.of("LEDGER_TLS_CERT_FILE", certs.serverKey.toString(),
                "LEDGER_TLS_KEY_FILE", certs.serverCert.toString())));
        assertTrue(swapped.getMessage().startsWith("LEDGER_TLS_CERT_FILE="), swapped.getMessage());
        IllegalArgumentException caAlone = assertThrows(IllegalArgumentException.class,
            () -> ServerSecurity.fromEnvironment(Map.of("LEDGER_TLS_CLIENT_CA_FILE", certs.caCert.toString())));
        assertTrue(caAlone.getMessage().contains("LEDGER_TLS_CLIENT_CA_FILE"), caAlone.getMessage());
        ServerSecurity on = ServerSecurity.fromEnvironment(Map.of("LEDGER_TLS_CERT_FILE", certs.serverCert.toString(),
            "LEDGER_TLS_KEY_FILE", certs.serverKey.toString(), "LEDGER_TLS_CLIENT_CA_FILE", certs.caCert.toString()));
        assertTrue(on.tlsOn() && on.tls().mutual());
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
