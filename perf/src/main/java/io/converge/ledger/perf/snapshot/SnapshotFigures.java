package io.converge.ledger.perf.snapshot;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Histogram;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client of perf/scripts/snapshot-figures.sh: fills a context with small entries, takes
 * it with SnapshotChunks into a file, loads the file with LoadChunks into another server,
 * and measures Get latency alone and while 16 SnapshotChunks of the context run. Prints one
 * {@code name=value} line per figure.
 *
 * <pre>
 * snapshots fill     HOST:PORT CONTEXT ENTRIES
 * snapshots take     HOST:PORT CONTEXT FILE
 * snapshots load     HOST:PORT CONTEXT FILE
 * snapshots get-lat  HOST:PORT CONTEXT CONCURRENT_SNAPSHOTS
 * </pre>
 */
public final class SnapshotFigures {
    private static final int BATCH = 1000;
    private static final int IN_FLIGHT = 8;
    private static final ByteString PAYLOAD = ByteString.copyFromUtf8("0123456789abcdef");

    private SnapshotFigures() {
    }

    public static int run(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: snapshots fill|take|load|get-lat HOST:PORT CONTEXT ARG");
            return 2;
        }
        String[] hostPort = args[1].split(":");
        ManagedChannel channel = NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]))
            .usePlaintext().maxInboundMessageSize(64 << 20).build();
        try {
            switch (args[0]) {
                case "fill" -> fill(channel, args[2], Long.parseLong(args[3]));
                case "take" -> take(channel, args[2], Path.of(args[3]));
                case "load" -> load(channel, args[2], Path.of(args[3]));
                case "get-lat" -> getLatency(channel, args[2], Integer.parseInt(args[3]));
                default -> {
                    System.err.println("unknown mode " + args[0]);
                    return 2;
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        return 0;
    }

    private static void fill(ManagedChannel channel, String contextId, long entries) throws Exception {
        ContextServiceGrpc.ContextServiceStub stub = ContextServiceGrpc.newStub(channel);
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (int i = 0; i < BATCH; i++) {
            b.addEntries(AppendRequest.newBuilder().setContextId(contextId).setKey("k" + (i % 10)).setPayload(PAYLOAD));
        }
        AppendBatchRequest batch = b.build();
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        for (long sent = 0; sent < entries && failure.get() == null; sent += BATCH) {
            window.acquire();
            stub.appendBatch(batch, new StreamObserver<>() {
                @Override
                public void onNext(AppendBatchResponse value) {
                }

                @Override
                public void onError(Throwable t) {
                    failure.set(t);
                    window.release();
                }

                @Override
                public void onCompleted() {
                    window.release();
                }
            });
        }
        window.acquire(IN_FLIGHT);
        if (failure.get() != null) {
            throw new IllegalStateException("fill failed", failure.get());
        }
        System.out.printf("fill_entries=%d fill_seconds=%.2f%n", entries, (System.nanoTime() - start) / 1e9);
    }

    private static void take(ManagedChannel channel, String contextId, Path file) throws Exception {
        long start = System.nanoTime();
        long bytes = 0;
        int chunks = 0;
        long sequence = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            Iterator<SnapshotChunk> it = ContextServiceGrpc.newBlockingStub(channel)
                .snapshotChunks(SnapshotRequest.newBuilder().setContextId(contextId).build());
            while (it.hasNext()) {
                SnapshotChunk c = it.next();
                if (chunks++ == 0) {
                    sequence = c.getSequence();
                }
                c.getData().writeTo(out);
                bytes += c.getData().size();
            }
        }
        System.out.printf("take_seconds=%.2f take_bytes=%d take_chunks=%d take_sequence=%d%n",
            (System.nanoTime() - start) / 1e9, bytes, chunks, sequence);
    }

    private static void load(ManagedChannel channel, String contextId, Path file) throws Exception {
        CompletableFuture<LoadResponse> answer = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<LoadChunk>> started = new CompletableFuture<>();
        Object ready = new Object();
        long start = System.nanoTime();
        ContextServiceGrpc.newStub(channel).loadChunks(new ClientResponseObserver<LoadChunk, LoadResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<LoadChunk> call) {
                call.setOnReadyHandler(() -> {
                    synchronized (ready) {
                        ready.notifyAll();
                    }
                });
                started.complete(call);
            }

            @Override
            public void onNext(LoadResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        ClientCallStreamObserver<LoadChunk> requests = started.get();
        byte[] buffer = new byte[1 << 20];
        boolean first = true;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0 && !answer.isDone(); ) {
                LoadChunk.Builder c = LoadChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, n));
                if (first) {
                    c.setContextId(contextId);
                    first = false;
                }
                synchronized (ready) {
                    while (!requests.isReady() && !answer.isDone()) {
                        ready.wait(100); // flow control: send only what the server takes
                    }
                }
                requests.onNext(c.build());
            }
        }
        long sent = System.nanoTime();
        requests.onCompleted();
        LoadResponse r = answer.get(30, TimeUnit.MINUTES);
        System.out.printf("load_seconds=%.2f load_send_seconds=%.2f load_entries=%d load_latest=%d%n",
            (System.nanoTime() - start) / 1e9, (sent - start) / 1e9, r.getEntriesRestored(), r.getLatestSequence());
    }

    /** Get latency (limit 10) for 5 s alone, then for as long as {@code concurrent} SnapshotChunks run. */
    private static void getLatency(ManagedChannel channel, String contextId, int concurrent) throws Exception {
        ContextServiceGrpc.ContextServiceBlockingStub stub = ContextServiceGrpc.newBlockingStub(channel);
        GetRequest get = GetRequest.newBuilder().setContextId(contextId).setLimit(10).build();
        Histogram alone = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            long t = System.nanoTime();
            stub.get(get);
            alone.recordValue(System.nanoTime() - t);
        }
        print("get_alone", alone);
        List<Thread> snapshots = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrent; i++) {
            Thread t = new Thread(() -> {
                Iterator<SnapshotChunk> it = ContextServiceGrpc.newBlockingStub(channel)
                    .snapshotChunks(SnapshotRequest.newBuilder().setContextId(contextId).build());
                it.forEachRemaining(c -> { });
            });
            t.start();
            snapshots.add(t);
        }
        Histogram during = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        while (snapshots.stream().anyMatch(Thread::isAlive)) {
            long t = System.nanoTime();
            stub.get(get);
            during.recordValue(System.nanoTime() - t);
        }
        System.out.printf("snapshots_concurrent=%d snapshots_seconds=%.2f%n", concurrent,
            (System.nanoTime() - start) / 1e9);
        print("get_during", during);
    }

    private static void print(String name, Histogram h) {
        System.out.printf("%s_count=%d %s_p50_ms=%.3f %s_p99_ms=%.3f %s_max_ms=%.3f%n", name, h.getTotalCount(),
            name, h.getValueAtPercentile(50) / 1e6, name, h.getValueAtPercentile(99) / 1e6, name, h.getMaxValue() / 1e6);
    }
}
