package io.converge.ledger.cli;

import io.grpc.util.CertificateUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "stats", description = {
    "Prints the main meters from the server's metrics endpoint, or says metrics are off (exit 5).",
    "The endpoint: --metrics-url, else the target's host on --metrics-port (default $LEDGER_METRICS_PORT), "
        + "over HTTPS with --tls."})
final class StatsCommand extends LedgerCommand implements Callable<Integer> {
    /** The meters shown: every series of these names. */
    static final List<String> MAIN = List.of("ledger_appends_total", "ledger_entries_stored", "ledger_bytes_stored",
        "ledger_store_bytes", "ledger_contexts", "ledger_watchers_open", "ledger_ring_remaining",
        "ledger_ring_full_refusals_total", "ledger_store_refusals_total", "ledger_auth_refusals_total",
        "ledger_latency_publish_to_reply_seconds", "ledger_grpc_calls_total",
        // cluster mode only
        "ledger_cluster_role", "ledger_cluster_commit_position_bytes", "ledger_cluster_applied_position_bytes",
        "ledger_cluster_apply_lag_bytes", "ledger_cluster_writes_waiting");

    @Option(names = "--metrics-url", paramLabel = "URL", defaultValue = "${env:LEDGER_METRICS_URL}",
        description = "the metrics URL, such as http://host:9464/metrics (default: $LEDGER_METRICS_URL)")
    String url;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "${env:LEDGER_METRICS_PORT}",
        description = "the server's LEDGER_METRICS_PORT, on the target's host")
    Integer port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        String where = endpoint();
        if (where == null) {
            throw new CliFailure(ExitCodes.METRICS_OFF, "metrics are off, or where they are is not known: give "
                + "--metrics-port (the server's LEDGER_METRICS_PORT) or --metrics-url");
        }
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofNanos(
            connection.deadlineNanos(DEFAULT_TIMEOUT)));
        if (where.startsWith("https:")) {
            http.sslContext(sslContext());
        }
        HttpResponse<String> response;
        try {
            response = http.build().send(HttpRequest.newBuilder(URI.create(where))
                .timeout(Duration.ofNanos(connection.deadlineNanos(DEFAULT_TIMEOUT))).build(),
                HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliFailure(ExitCodes.METRICS_OFF, "metrics are off: nothing answers at " + where);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.METRICS_OFF, "metrics are off at " + where + ": " + e);
        }
        if (response.statusCode() != 200) {
            throw new CliFailure(ExitCodes.METRICS_OFF, "no metrics at " + where + ": HTTP " + response.statusCode());
        }
        boolean any = false;
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            int brace = series.indexOf('{');
            String name = brace < 0 ? series : series.substring(0, brace);
            if (!MAIN.contains(name)) {
                continue;
            }
            any = true;
            String value = line.substring(space + 1);
            if (json) {
                out().println(new Json().field("name", name).field("labels", labels(series, brace))
                    .number("value", value.contains("Inf") || value.contains("NaN") ? "null" : value).toString());
            } else {
                out().println(String.format("%-90s %s", series, value));
            }
        }
        if (!any) {
            err().println("the endpoint at " + where + " serves none of the ledger's meters");
        }
        return ExitCodes.OK;
    }

    private String endpoint() {
        if (url != null && !url.isBlank()) {
            return url;
        }
        if (port == null) {
            return null;
        }
        String target = connection.target;
        int colon = target.lastIndexOf(':');
        String host = colon < 0 ? target : target.substring(0, colon);
        if (host.contains("///")) {
            host = host.substring(host.lastIndexOf('/') + 1);
        }
        return (connection.spec().usesTls() ? "https" : "http") + "://" + host + ":" + port + "/metrics";
    }

    private static Map<String, String> labels(String series, int brace) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (brace < 0) {
            return labels;
        }
        for (String pair : series.substring(brace + 1, series.length() - 1).split(",(?=[a-zA-Z_]+=\")")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
            }
        }
        return labels;
    }

    /** Trusts --ca (else the JDK's authorities) and presents --cert/--key when given. */
    private SSLContext sslContext() throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (connection.ca != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                X509Certificate[] cas = certificates(connection.ca);
                for (int i = 0; i < cas.length; i++) {
                    trust.setCertificateEntry("ca-" + i, cas[i]);
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (connection.cert != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                try (InputStream in = Files.newInputStream(connection.key)) {
                    keys.setKeyEntry("client", CertificateUtils.getPrivateKey(in), new char[0],
                        certificates(connection.cert));
                }
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new CliFailure(ExitCodes.FILE, "the TLS files do not check out: " + e.getMessage());
        }
    }

    private static X509Certificate[] certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateUtils.getX509Certificates(in);
        }
    }
}
