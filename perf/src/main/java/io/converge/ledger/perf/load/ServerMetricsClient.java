package io.converge.ledger.perf.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The server's latency endpoint: {@code GET <base>/latency/reset} clears its window,
 * {@code GET <base>/latency} returns it as text. Every failure (unreachable, timeout,
 * non-2xx) becomes a warning for the caller to print, never an exception. Each request
 * is bounded by {@link #TIMEOUT}. Thread-safe.
 */
final class ServerMetricsClient {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    ServerMetricsClient(URI base) {
        this.base = base;
    }

    /** Resets the server's latency window; returns a warning when that failed. */
    Optional<String> reset() {
        Outcome o = get("/latency/reset");
        return o.warning == null ? Optional.empty() : Optional.of(o.warning);
    }

    /** The server's latency lines, or a warning saying why there are none. */
    Outcome latency() {
        return get("/latency");
    }

    /** Either the body of a 2xx answer, or a warning. */
    record Outcome(String body, String warning) {
    }

    private Outcome get(String path) {
        URI uri = URI.create(base + path);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                return new Outcome(null, "GET " + uri + " answered HTTP " + response.statusCode());
            }
            return new Outcome(response.body(), null);
        } catch (IOException e) {
            return new Outcome(null, "GET " + uri + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "GET " + uri + " interrupted");
        }
    }
}
