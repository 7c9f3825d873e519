package io.converge.ledger.transport.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.CertificateUtils;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * The server's TLS material, read from PEM files: its certificate chain
 * ({@code LEDGER_TLS_CERT_FILE}), its private key ({@code LEDGER_TLS_KEY_FILE}, PKCS#8:
 * {@code -----BEGIN PRIVATE KEY-----}, RSA or EC) and, for mutual TLS, the certificates of the
 * authorities whose client certificates it accepts ({@code LEDGER_TLS_CLIENT_CA_FILE}).
 * The files are read once, when {@link #load} checks them. Immutable.
 */
public final class TlsFiles {
    private static final char[] NO_PASSWORD = new char[0];

    private final Path certFile;
    private final KeyManager[] keyManagers;
    /** Null without mutual TLS. */
    private final TrustManager[] clientTrust;

    private TlsFiles(Path certFile, KeyManager[] keyManagers, TrustManager[] clientTrust) {
        this.certFile = certFile;
        this.keyManagers = keyManagers;
        this.clientTrust = clientTrust;
    }

    /**
     * Reads the three variables; returns {@code null} when neither certificate nor key is set.
     *
     * @throws IllegalArgumentException naming the variable when only one of certificate and key is
     *                                  set, a client CA is set without them, or a file does not hold
     *                                  what it should
     */
    public static TlsFiles fromEnvironment(Map<String, String> env) {
        Path cert = path(env, "LEDGER_TLS_CERT_FILE");
        Path key = path(env, "LEDGER_TLS_KEY_FILE");
        Path clientCa = path(env, "LEDGER_TLS_CLIENT_CA_FILE");
        if (cert == null && key == null) {
            if (clientCa != null) {
                throw new IllegalArgumentException("LEDGER_TLS_CLIENT_CA_FILE needs LEDGER_TLS_CERT_FILE and "
                    + "LEDGER_TLS_KEY_FILE: client certificates are checked only over TLS");
            }
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("TLS needs both LEDGER_TLS_CERT_FILE and LEDGER_TLS_KEY_FILE; only "
                + (cert == null ? "LEDGER_TLS_KEY_FILE" : "LEDGER_TLS_CERT_FILE") + " is set");
        }
        return load(cert, key, clientCa);
    }

    /**
     * @param clientCa {@code null} for TLS without client certificates
     * @throws IllegalArgumentException when a file cannot be read or does not hold what it should
     */
    public static TlsFiles load(Path cert, Path key, Path clientCa) {
        X509Certificate[] chain = certificates("LEDGER_TLS_CERT_FILE", cert);
        PrivateKey privateKey;
        try (InputStream in = Files.newInputStream(key)) {
            privateKey = CertificateUtils.getPrivateKey(in);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("LEDGER_TLS_KEY_FILE=" + key + " holds no PKCS#8 PEM private key "
                + "(-----BEGIN PRIVATE KEY-----, RSA or EC): " + e.getMessage());
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", privateKey, NO_PASSWORD, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, NO_PASSWORD);
            TrustManager[] trust = null;
            if (clientCa != null) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                X509Certificate[] authorities = certificates("LEDGER_TLS_CLIENT_CA_FILE", clientCa);
                for (int i = 0; i < authorities.length; i++) {
                    cas.setCertificateEntry("ca-" + i, authorities[i]);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas);
                trust = tmf.getTrustManagers();
            }
            return new TlsFiles(cert, kmf.getKeyManagers(), trust);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("LEDGER_TLS_KEY_FILE=" + key + " does not go with the certificate in "
                + cert + ": " + e.getMessage());
        }
    }

    private static X509Certificate[] certificates(String variable, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate[] certs = CertificateUtils.getX509Certificates(in);
            if (certs.length == 0) {
                throw new IllegalArgumentException("no certificate in it");
            }
            return certs;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(variable + "=" + file + " holds no PEM certificate "
                + "(-----BEGIN CERTIFICATE-----): " + e.getMessage());
        }
    }

    private static Path path(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value.strip());
    }

    /** Whether clients must present a certificate signed by one of the client authorities. */
    public boolean mutual() {
        return clientTrust != null;
    }

    /** The certificate file, for messages. */
    public Path certFile() {
        return certFile;
    }

    /** Credentials for a gRPC server that serves TLS only (and requires client certificates when {@link #mutual}). */
    public ServerCredentials serverCredentials() {
        TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keyManagers);
        if (clientTrust != null) {
            builder.trustManager(clientTrust).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return builder.build();
    }

    /** A server-side TLS context with the same certificate and client authorities (for the metrics endpoint). */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, clientTrust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context", e);
        }
    }
}
