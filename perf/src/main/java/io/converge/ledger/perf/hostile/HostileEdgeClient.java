package io.converge.ledger.perf.hostile;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reruns the edge rows of issue 10 against a running server, as a separate process, and
 * prints one {@code RESULT} line per run:
 * <ul>
 *   <li>{@code metadata-batch HOST PORT [entries=700] [pairs=10000]}: one AppendBatch of
 *       {@code entries} entries with {@code pairs} metadata pairs each (about 62 MB with the
 *       defaults; two-character keys, many sharing a String hash), sent twice (cold, warm),
 *       while a bystander makes
 *       small Appends on the same connection (so the same event loop) and on another;
 *       reports the batch's time and the bystanders' latencies and failures.</li>
 *   <li>{@code idle-connections HOST PORT METRICS_PORT [count=5000]}: one working client
 *       connects, then {@code count} TCP connections are opened that never speak; reports
 *       how many the server closed at once (the cap), how the working client, /metrics and
 *       a new client fared meanwhile, and how long the silent ones lasted.</li>
 * </ul>
 */
public final class HostileEdgeClient {
    private static final long DEADLINE_SECONDS = 30;

    private HostileEdgeClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: HostileEdgeClient metadata-batch HOST PORT [entries] [pairs]\n"
                + "       HostileEdgeClient idle-connections HOST PORT METRICS_PORT [count]");
            System.exit(2);
        }
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "metadata-batch" -> metadataBatch(host, port, arg(args, 3, 700), arg(args, 4, 10_000));
            case "idle-connections" -> idleConnections(host, port, Integer.parseInt(args[3]), arg(args, 4, 5_000));
            default -> {
                System.err.println("unknown run " + args[0]);
                System.exit(2);
            }
        }
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static ManagedChannel channel(String host, int port) {
        return NettyChannelBuilder.forAddress(host, port).usePlaintext().maxInboundMessageSize(64 << 20).build();
    }

    /** The oversized-metadata batch: keys of two characters over 94 printable ones, then three. */
    static AppendBatchRequest metadataBatch(int entries, int pairs) {
        AppendRequest.Builder e = AppendRequest.newBuilder().setContextId("hostile").setKey("k")
            .setPayload(ByteString.copyFromUtf8("p"));
        for (int i = 0; i < pairs; i++) {
            String key = "" + (char) (0x21 + i % 94) + (char) (0x21 + (i / 94) % 94)
                + (i < 94 * 94 ? "" : String.valueOf((char) (0x21 + i / (94 * 94))));
            e.putMetadata(key, "v");
        }
        AppendRequest entry = e.build();
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (int i = 0; i < entries; i++) {
            b.addEntries(entry);
        }
        return b.build();
    }

    private static void metadataBatch(String host, int port, int entries, int pairs) throws Exception {
        AppendBatchRequest batch = metadataBatch(entries, pairs);
        ManagedChannel shared = channel(host, port);
        ManagedChannel other = channel(host, port);
        try {
            Bystander sameLoop = new Bystander(shared, "same-connection");
            Bystander otherLoop = new Bystander(other, "other-connection");
            sameLoop.warm();
            otherLoop.warm();
            Thread a = new Thread(sameLoop);
            Thread b = new Thread(otherLoop);
            a.start();
            b.start();
            long encodeStart = System.nanoTime();
            byte[] bytes = batch.toByteArray(); // encoded first: the client's own encoding is not the server's time
            double encodeMs = (System.nanoTime() - encodeStart) / 1e6;
            System.out.printf("client: encoding the batch took %.0f ms (not counted below)%n", encodeMs);
            MethodDescriptor<byte[], AppendBatchResponse> raw = ContextServiceGrpc.getAppendBatchMethod()
                .toBuilder(new RawBytes(), ContextServiceGrpc.getAppendBatchMethod().getResponseMarshaller()).build();
            StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < 2; round++) { // the first in a cold server, then once it is warm
                long start = System.nanoTime();
                String outcome;
                try {
                    AppendBatchResponse response = ClientCalls.blockingUnaryCall(shared, raw,
                        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), bytes);
                    outcome = "OK(" + response.getAcksCount() + " acks)";
                } catch (StatusRuntimeException e) {
                    outcome = e.getStatus().getCode() + "(" + e.getStatus().getDescription() + ")";
                }
                rounds.append(String.format(" round%d_ms=%.0f round%d=%s", round + 1, (System.nanoTime() - start) / 1e6,
                    round + 1, outcome));
            }
            Thread.sleep(200);
            sameLoop.stop.set(true);
            otherLoop.stop.set(true);
            a.join();
            b.join();
            System.out.printf("RESULT metadata-batch bytes=%d entries=%d pairs=%d%s%n",
                batch.getSerializedSize(), entries, pairs, rounds);
            System.out.println("RESULT " + sameLoop.report());
            System.out.println("RESULT " + otherLoop.report());
        } finally {
            shared.shutdownNow();
            other.shutdownNow();
        }
    }

    /** Request bytes sent as they are. */
    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Small Appends one after another, each with a 5 s deadline, until stopped; latencies in microseconds. */
    private static final class Bystander implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final Histogram latency = new Histogram(3);
        final Map<String, Integer> failures = new TreeMap<>();
        final ManagedChannel channel;
        final String name;

        Bystander(ManagedChannel channel, String name) {
            this.channel = channel;
            this.name = name;
        }

        void warm() {
            for (int i = 0; i < 50; i++) {
                call();
            }
            latency.reset();
            failures.clear();
        }

        @Override
        public void run() {
            while (!stop.get()) {
                call();
            }
        }

        private void call() {
            long t = System.nanoTime();
            try {
                ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .append(AppendRequest.newBuilder().setContextId("bystander").setKey("k")
                        .setPayload(ByteString.copyFromUtf8("x")).build());
                latency.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
            } catch (StatusRuntimeException e) {
                failures.merge(e.getStatus().getCode().toString(), 1, Integer::sum);
            }
        }

        String report() {
            return String.format("bystander-%s calls=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.1f failures=%s", name,
                latency.getTotalCount(), latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0, failures);
        }
    }

    private static void idleConnections(String host, int port, int metricsPort, int count) throws Exception {
        ManagedChannel working = channel(host, port);
        List<Socket> silent = new ArrayList<>();
        try {
            append(working);
            long openStart = System.nanoTime();
            int connectFailures = 0;
            for (int i = 0; i < count && connectFailures < 20; i++) { // 20 failures: the server takes no more
                try {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(host, port), 1_000);
                    s.setSoTimeout(1);
                    silent.add(s);
                } catch (IOException e) {
                    connectFailures++;
                }
            }
            double openMs = (System.nanoTime() - openStart) / 1e6;
            ManagedChannel newcomer = channel(host, port);
            long t = System.nanoTime();
            String newcomerOutcome = append(newcomer);
            double newcomerMs = (System.nanoTime() - t) / 1e6;
            newcomer.shutdownNow();
            t = System.nanoTime();
            String workingOutcome = append(working);
            double workingMs = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            String metrics = scrape(host, metricsPort);
            double metricsMs = (System.nanoTime() - t) / 1e6;
            int closedAtOnce = closedCount(silent);
            System.out.printf("RESULT idle-connections opened=%d connect_failures=%d open_ms=%.0f closed_at_once=%d%n",
                silent.size(), connectFailures, openMs, closedAtOnce);
            System.out.printf("RESULT new-client-while-full append=%s ms=%.1f%n", newcomerOutcome, newcomerMs);
            System.out.printf("RESULT existing-client append=%s ms=%.1f%n", workingOutcome, workingMs);
            System.out.printf("RESULT metrics %s ms=%.1f%n", metrics, metricsMs);
            long waitStart = System.nanoTime();
            int closed = closedAtOnce;
            while (closed < silent.size() && System.nanoTime() - waitStart < TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS)) {
                Thread.sleep(250);
                closed = closedCount(silent);
            }
            double waitedMs = (System.nanoTime() - waitStart) / 1e6;
            newcomer = channel(host, port);
            String afterOutcome = append(newcomer);
            newcomer.shutdownNow();
            System.out.printf("RESULT silent-connections closed=%d of %d within_ms=%.0f then new-client append=%s%n",
                closed, silent.size(), waitedMs, afterOutcome);
        } finally {
            for (Socket s : silent) {
                s.close();
            }
            working.shutdownNow();
        }
    }

    private static String append(ManagedChannel channel) {
        try {
            ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .append(AppendRequest.newBuilder().setContextId("idle").setKey("k")
                    .setPayload(ByteString.copyFromUtf8("x")).build());
            return "OK";
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            return s.getCode().toString();
        }
    }

    /** Sockets the server closed: a read sees the end of the stream (or a reset) rather than timing out. */
    private static int closedCount(List<Socket> sockets) {
        int closed = 0;
        for (Socket s : sockets) {
            if (s.isClosed()) {
                closed++;
                continue;
            }
            try {
                InputStream in = s.getInputStream();
                int b;
                do {
                    b = in.read();
                } while (b >= 0); // the server's HTTP/2 settings frame, if it sent one
                s.close();
                closed++;
            } catch (java.net.SocketTimeoutException stillOpen) {
                // nothing to read, not closed
            } catch (IOException reset) {
                closeQuietly(s);
                closed++;
            }
        }
        return closed;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a reset socket
        }
    }

    private static String scrape(String host, int metricsPort) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + metricsPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            String open = "?";
            String refused = "?";
            for (String line : r.body().split("\n")) {
                if (line.startsWith("ledger_connections_open ")) {
                    open = line.substring(line.indexOf(' ') + 1);
                } else if (line.startsWith("ledger_connections_refused_total ")) {
                    refused = line.substring(line.indexOf(' ') + 1);
                }
            }
            return "status=" + r.statusCode() + " connections_open=" + open + " connections_refused=" + refused;
        } catch (IOException e) {
            return "failed(" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
