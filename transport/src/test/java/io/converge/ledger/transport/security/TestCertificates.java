package io.converge.ledger.transport.security;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made at test time, with the JDK's own {@code keytool} (no extra
 * library, no committed key): a CA, a server certificate for localhost and 127.0.0.1, and a
 * client certificate, each signed by the CA, written as PEM files (keys as PKCS#8) under a
 * test's directory.
 */
public final class TestCertificates {
    private static final String PASS = "test-pass";

    /** The CA's certificate, the server's certificate and key, and a client's certificate and key. */
    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;

    private TestCertificates(Path dir) {
        this.caCert = dir.resolve("ca.pem");
        this.serverCert = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server.key");
        this.clientCert = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client.key");
    }

    /** Makes the CA and both certificates under {@code dir}. Takes a few seconds (several keytool runs). */
    public static TestCertificates make(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates certs = new TestCertificates(dir);
        Path ca = dir.resolve("ca.p12");
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=ledger test CA",
            "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
        keytool(dir, "-exportcert", "-alias", "ca", "-rfc", "-keystore", ca.toString(), "-file", certs.caCert.toString());
        certs.issue(dir, ca, "server", "CN=localhost", "san=dns:localhost,ip:127.0.0.1", certs.serverCert,
            certs.serverKey);
        certs.issue(dir, ca, "client", "CN=ledger test client", null, certs.clientCert, certs.clientKey);
        return certs;
    }

    private void issue(Path dir, Path ca, String alias, String dname, String san, Path certFile, Path keyFile)
        throws IOException, InterruptedException {
        Path store = dir.resolve(alias + ".p12");
        Path csr = dir.resolve(alias + ".csr");
        keytool(dir, "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", dname,
            "-validity", "2", "-keystore", store.toString());
        keytool(dir, "-certreq", "-alias", alias, "-keystore", store.toString(), "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", ca.toString(),
            "-infile", csr.toString(), "-outfile", certFile.toString(), "-rfc", "-validity", "2"));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(dir, gencert.toArray(new String[0]));
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, PASS.toCharArray());
            Key key = keys.getKey(alias, PASS.toCharArray());
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(keyFile, pem);
        } catch (GeneralSecurityException e) {
            throw new IOException("reading the key keytool made: " + e, e);
        }
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS, "-noprompt"));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish within 60 s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: "
                + new String(out, StandardCharsets.UTF_8));
        }
    }
}
