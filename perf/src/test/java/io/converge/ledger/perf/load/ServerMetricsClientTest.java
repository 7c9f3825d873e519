package io.converge.ledger.perf.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ServerMetricsClientTest {
    private static final String LINE = "publish_to_sequenced_ns count=10 p50=1 p90=2 p99=3 p99.9=4 p99.99=5 max=6";

    @TempDir
    Path out;
    private final AtomicInteger resets = new AtomicInteger();
    private HttpServer http;

    @AfterEach
    void stopHttp() {
        if (http != null) {
            http.stop(0);
        }
    }

    @Test
    void theRunResetsTheServerWindowOnceAfterWarmupAndPrintsItsFiguresUnderServerSide() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/latency/reset", exchange -> {
            resets.incrementAndGet();
            answer(exchange, "ok\n");
        });
        http.createContext("/latency", exchange -> answer(exchange, LINE + "\n"));
        http.start();
        String url = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + http.getAddress().getPort();
        try (LedgerOnLoopback ledger = new LedgerOnLoopback()) {
            String text = run(ledger, url);
            assertEquals(1, resets.get());
            assertTrue(text.contains("server-side:\n  " + LINE + "\n"), text);
            assertFalse(text.contains("WARNING"), text);
        }
    }

    @Test
    void anUnreachableEndpointIsAWarningNotAFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (LedgerOnLoopback ledger = new LedgerOnLoopback()) {
            String text = run(ledger, "http://127.0.0.1:" + closedPort);
            assertTrue(text.contains("WARNING: server metrics reset: GET http://127.0.0.1:"), text);
            assertTrue(text.contains("WARNING: server metrics: GET"), text);
            assertTrue(text.contains(" status=ok"), text);
        }
    }

    private String run(LedgerOnLoopback ledger, String url) throws InterruptedException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = LoadMain.run(new String[] {"--target", ledger.target(), "--callers", "2", "--duration", "300ms",
            "--warmup", "100ms", "--server-metrics", url, "--out", out.toString()},
            new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        String text = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        return text;
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }
}
