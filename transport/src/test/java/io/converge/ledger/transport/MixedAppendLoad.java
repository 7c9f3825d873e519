package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc.ContextServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Client threads appending as fast as they are answered, each a mix of unary Append and
 * AppendBatch (10 to 50 entries, across contexts) with varied keys, metadata and payloads,
 * recording every acknowledgement in an {@link AcknowledgementLog}. A thread ends at its
 * first failed call (the server was killed or stopped) or when {@link #stop} is called.
 * Thread-safe.
 */
final class MixedAppendLoad {
    /** Contexts with ASCII and non-ASCII names. */
    static final List<String> CONTEXTS = List.of("orders", "carts", "sessions", "audit-\u00e9\u20ac");
    private static final List<String> KEYS = List.of("", "k0", "k1", "k2", "user/42", "\u043a\u043b\u044e\u0447");

    private final AcknowledgementLog log;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Status> endings = new CopyOnWriteArrayList<>();
    private final List<Throwable> faults = new CopyOnWriteArrayList<>();
    private final AtomicLong unaryAcks = new AtomicLong();
    private final AtomicLong batchAcks = new AtomicLong();
    private volatile boolean stopped;

    private MixedAppendLoad(AcknowledgementLog log) {
        this.log = log;
    }

    /**
     * Starts {@code threads} client threads, each calling through a fresh stub from
     * {@code stubs} (so each call gets its own deadline), seeded from {@code seed}.
     */
    static MixedAppendLoad start(AcknowledgementLog log, int threads, long seed,
                                 Supplier<ContextServiceBlockingStub> stubs) {
        MixedAppendLoad load = new MixedAppendLoad(log);
        for (int t = 0; t < threads; t++) {
            Random random = new Random(seed * 1_000 + t);
            Thread thread = new Thread(() -> load.run(random, stubs), "append-load-" + t);
            thread.setDaemon(true);
            load.threads.add(thread);
        }
        load.threads.forEach(Thread::start);
        return load;
    }

    private void run(Random random, Supplier<ContextServiceBlockingStub> stubs) {
        try {
            while (!stopped) {
                if (random.nextInt(3) == 0) {
                    AppendRequest request = request(random, CONTEXTS.get(random.nextInt(CONTEXTS.size())));
                    log.sent(request);
                    log.acknowledged(request, stubs.get().append(request).getEntry());
                    unaryAcks.incrementAndGet();
                } else {
                    int n = 10 + random.nextInt(41);
                    // Mostly one context per batch, sometimes several.
                    String only = random.nextBoolean() ? CONTEXTS.get(random.nextInt(CONTEXTS.size())) : null;
                    AppendBatchRequest.Builder batch = AppendBatchRequest.newBuilder();
                    for (int i = 0; i < n; i++) {
                        AppendRequest request = request(random,
                            only != null ? only : CONTEXTS.get(random.nextInt(CONTEXTS.size())));
                        log.sent(request);
                        batch.addEntries(request);
                    }
                    AppendBatchResponse response = stubs.get().appendBatch(batch.build());
                    assertEquals(n, response.getAcksCount(), "one ack per entry");
                    for (int i = 0; i < n; i++) {
                        log.acknowledged(batch.getEntries(i), response.getAcks(i));
                    }
                    batchAcks.addAndGet(n);
                }
            }
        } catch (StatusRuntimeException e) {
            endings.add(e.getStatus());
        } catch (Throwable t) {
            faults.add(t);
        }
    }

    /**
     * A request with a key from a small set, 1 to 4 metadata pairs (one the tag) and a
     * payload of 0 B to 64 KiB: most are small, a few large ones make up most of the bytes.
     */
    private AppendRequest request(Random random, String contextId) {
        AppendRequest.Builder r = AppendRequest.newBuilder()
            .setContextId(contextId)
            .setKey(KEYS.get(random.nextInt(KEYS.size())))
            .putMetadata(AcknowledgementLog.TAG, log.newTag());
        int extra = random.nextInt(4);
        if (extra > 0) {
            r.putMetadata("trace", Long.toHexString(random.nextLong()));
        }
        if (extra > 1) {
            r.putMetadata("source", random.nextBoolean() ? "engine" : "\u00fcber-client \u2603");
        }
        if (extra > 2) {
            r.putMetadata("empty", "");
        }
        int roll = random.nextInt(100);
        int size = roll < 5 ? 0 : roll < 80 ? 1 + random.nextInt(200) : roll < 97 ? 200 + random.nextInt(1_800)
            : 16_384 + random.nextInt(49_152);
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        return r.setPayload(ByteString.copyFrom(payload)).build();
    }

    long unaryAcks() {
        return unaryAcks.get();
    }

    long batchAcks() {
        return batchAcks.get();
    }

    /** Whether every thread still runs: no call failed yet. */
    boolean allRunning() {
        return endings.isEmpty() && faults.isEmpty() && threads.stream().allMatch(Thread::isAlive);
    }

    /** How the threads that ended on a failed call ended. */
    List<Status> endings() {
        return List.copyOf(endings);
    }

    /** Asks the threads to end after their call in flight. */
    void stop() {
        stopped = true;
    }

    /**
     * Waits for every thread to end (stopped, or its call failed) and rethrows what went
     * wrong in one other than a failed call (a wrong answer).
     */
    void awaitEnd(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not end within " + seconds + " s");
            }
        }
        if (!faults.isEmpty()) {
            AssertionError e = new AssertionError("a load thread got a wrong answer", faults.get(0));
            faults.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }
}
