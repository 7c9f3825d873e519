package io.converge.ledger.cli;

import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.ServerSettings;
import io.converge.ledger.transport.security.ServerSecurity;
import io.converge.ledger.transport.security.TestCertificates;
import io.converge.ledger.transport.security.TlsFiles;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.converge.ledger.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI against a server with TLS (and mTLS) and tokens: the options work, and each refusal is its own exit status. */
class CliSecurityTest {
    private static final String READER = "reader-token-0123456789";
    private static final String WRITER = "writer-token-0123456789";

    @TempDir
    static Path dir;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.make(dir.resolve("pki"));
    }

    private static LedgerServer serve(ServerSecurity security, boolean metrics) throws Exception {
        return LedgerServer.start(NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            0), security.serverCredentials()), ServerSettings.defaults().withSecurity(security)
            .withMetricsPort(metrics ? 0 : ServerSettings.METRICS_OFF));
    }

    @Test
    void tokensAreSentAndEachRefusalHasItsOwnExitStatus() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, READER + " read\n" + WRITER + " write\n");
        try (LedgerServer server = serve(ServerSecurity.none().withTokens(tokens), false)) {
            String target = "127.0.0.1:" + server.port();
            Cli.Run none = run("get", "x", "--target", target);
            assertEquals(ExitCodes.GRPC_BASE + 16, none.status(), none.toString());
            assertTrue(none.stderr().startsWith("converge-ledger: UNAUTHENTICATED: "), none.stderr());
            assertTrue(none.stderr().contains("--token or LEDGER_TOKEN"), none.stderr());

            Cli.Run wrong = run("get", "x", "--target", target, "--token", "not-a-token-0123456789");
            assertEquals(ExitCodes.GRPC_BASE + 16, wrong.status(), wrong.toString());

            Cli.Run reader = run("append", "x", "--data", "a", "--target", target, "--token", READER);
            assertEquals(ExitCodes.GRPC_BASE + 7, reader.status(), reader.toString());
            assertEquals("converge-ledger: PERMISSION_DENIED: Append needs the write role; this token has read",
                reader.stderr().strip());

            assertEquals(0, run("append", "x", "--data", "a", "--target", target, "--token", WRITER).status());
            Cli.Run read = run("get", "x", "--json", "--target", target, "--token", READER);
            assertEquals(0, read.status(), read.toString());
            assertTrue(read.stdout().contains("\"payload\":\"a\""));
            Cli.Run health = run("health", "--target", target);
            assertEquals(0, health.status(), "health is open: " + health);
        }
    }

    @Test
    void tlsOptionsReachATlsServerAndPlainTextFailsCleanly() throws Exception {
        ServerSecurity tls = ServerSecurity.none().withTls(TlsFiles.load(certs.serverCert, certs.serverKey, null));
        try (LedgerServer server = serve(tls, true)) {
            String target = "localhost:" + server.port();
            Cli.Run plain = run("seq", "x", "--target", target);
            assertEquals(ExitCodes.GRPC_BASE + 14, plain.status(), plain.toString());
            assertTrue(plain.stderr().contains("does --tls match it?"), plain.stderr());

            Cli.Run ok = run("append", "x", "--data", "over tls", "--target", target, "--ca", certs.caCert.toString());
            assertEquals(0, ok.status(), ok.toString());
            Cli.Run stats = run("stats", "--target", target, "--ca", certs.caCert.toString(), "--metrics-port",
                Integer.toString(server.metricsPort()));
            assertEquals(0, stats.status(), stats.toString());
            assertTrue(stats.stdout().contains("ledger_appends_total"), stats.stdout());
        }
    }

    @Test
    void mutualTlsNeedsTheClientCertificate() throws Exception {
        ServerSecurity mtls = ServerSecurity.none().withTls(TlsFiles.load(certs.serverCert, certs.serverKey,
            certs.caCert));
        try (LedgerServer server = serve(mtls, false)) {
            String target = "localhost:" + server.port();
            Cli.Run anonymous = run("seq", "x", "--target", target, "--ca", certs.caCert.toString());
            assertEquals(ExitCodes.GRPC_BASE + 14, anonymous.status(), anonymous.toString());
            Cli.Run known = run("seq", "x", "--target", target, "--ca", certs.caCert.toString(),
                "--cert", certs.clientCert.toString(), "--tls-key", certs.clientKey.toString());
            assertEquals(0, known.status(), known.toString());
            Cli.Run half = run("seq", "x", "--target", target, "--cert", certs.clientCert.toString());
            assertEquals(ExitCodes.USAGE, half.status(), half.toString());
        }
    }
}
