package io.converge.ledger.transport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A client of the server's HTTP metrics endpoint on loopback, every request bounded by
 * {@link LedgerFixture#DEADLINE_SECONDS}, and a reader of the Prometheus text it serves.
 */
final class MetricsClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(LedgerFixture.DEADLINE_SECONDS);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final int port;

    MetricsClient(int port) {
        this.port = port;
    }

    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(TIMEOUT)
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path}, which must answer 200. */
    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send("GET", path);
        assertEquals(200, response.statusCode(), () -> "GET " + path + ": " + response.body());
        return response.body();
    }

    /** One scrape of {@code /metrics}: each sample's value by its series, such as {@code name{tag="v"}}. */
    Map<String, Double> scrape() throws IOException, InterruptedException {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : get("/metrics").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** The value of {@code series} in a fresh scrape; fails when the scrape has no such series. */
    double value(String series) throws IOException, InterruptedException {
        Map<String, Double> samples = scrape();
        Double value = samples.get(series);
        assertNotNull(value, () -> "no series " + series + " in " + samples.keySet());
        return value;
    }

    /** The value of {@code series}, or 0 when the scrape has none (a counter not yet registered). */
    double valueOrZero(String series) throws IOException, InterruptedException {
        return scrape().getOrDefault(series, 0.0);
    }
}
