package io.converge.ledger.transport.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.converge.ledger.transport.security.TlsFiles;
import io.converge.ledger.core.LedgerLatency;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The metrics endpoint, on the JDK's own HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: the registry in the Prometheus text format (0.0.4);</li>
 *   <li>{@code GET /latency}: the server-side latency of the current window, in
 *       nanoseconds, in the format of {@link LatencyReport};</li>
 *   <li>{@code GET /latency/reset}: starts a new window; 204, no body.</li>
 * </ul>
 * Any other path is 404; another method on one of these paths is 405. Requests are served
 * one at a time on one daemon thread, never on the ledger's or gRPC's threads.
 *
 * <p>Listens on the address it is given ({@code LEDGER_METRICS_BIND_ADDRESS}: by default the
 * loopback interface only, unlike the gRPC port). {@link #close()} stops it at once
 * (an exchange in progress is cut off) and waits for its thread; idempotent.
 */
public final class MetricsHttpServer implements AutoCloseable {
    /** What {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final System.Logger LOG = System.getLogger(MetricsHttpServer.class.getName());

    private final HttpServer http;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final LedgerLatency latency;

    private MetricsHttpServer(HttpServer http, PrometheusMeterRegistry registry, LedgerLatency latency) {
        this.http = http;
        this.registry = registry;
        this.latency = latency;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "ledger-metrics-http");
            t.setDaemon(true);
            return t;
        });
        http.createContext("/", this::handle);
        http.setExecutor(executor);
    }

    /**
     * Binds {@code port} (0: one the OS chooses) of {@code bindAddress} and starts serving, over
     * HTTPS with the certificate of {@code tls} (and asking for a client certificate when it is
     * {@linkplain TlsFiles#mutual mutual}), or over plain HTTP when {@code tls} is {@code null}.
     *
     * @throws IOException when the port cannot be bound
     */
    public static MetricsHttpServer start(String bindAddress, int port, PrometheusMeterRegistry registry,
                                          LedgerLatency latency, TlsFiles tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(bindAddress, port);
        HttpServer http;
        if (tls == null) {
            http = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            boolean mutual = tls.mutual();
            https.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()) {
                @Override
                public void configure(HttpsParameters params) {
                    params.setSSLParameters(getSSLContext().getDefaultSSLParameters());
                    params.setNeedClientAuth(mutual);
                }
            });
            http = https;
        }
        MetricsHttpServer server = new MetricsHttpServer(http, registry, latency);
        server.http.start();
        return server;
    }

    /** Whether it serves HTTPS. */
    public boolean https() {
        return http instanceof HttpsServer;
    }

    /** The port it listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The address it listens on. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            Response response;
            try {
                response = answer(exchange.getRequestMethod(), exchange.getRequestURI().getPath());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "serving " + exchange.getRequestURI() + " failed", e);
                response = new Response(500, "the server failed: " + e + "\n");
            }
            send(exchange, response);
        } finally {
            exchange.close();
        }
    }

    private Response answer(String method, String path) {
        if (!path.equals("/metrics") && !path.equals("/latency") && !path.equals("/latency/reset")) {
            return new Response(404, "not found: " + path + " (there are /metrics, /latency, /latency/reset)\n");
        }
        if (!method.equals("GET")) {
            return new Response(405, method + " is not allowed on " + path + ": GET only\n");
        }
        return switch (path) {
            case "/metrics" -> new Response(200, PROMETHEUS_TEXT, registry.scrape());
            case "/latency" -> new Response(200, TEXT, LatencyReport.of(latency));
            default -> {
                LatencyReport.reset(latency);
                yield new Response(204, TEXT, null);
            }
        };
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        if (response.status() == 405) {
            exchange.getResponseHeaders().set("Allow", "GET");
        }
        if (response.body() == null) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(response.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** An answer: its status, content type and body ({@code null}: none). */
    private record Response(int status, String contentType, String body) {
        Response(int status, String message) {
            this(status, TEXT, message);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
