package io.converge.ledger.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where, and within what budget, AppendBatch and AppendStream requests are parsed into
 * {@link WireBatch}es.
 *
 * <ul>
 *   <li><b>Budget.</b> The bytes of every request being parsed count against
 *       {@code budgetBytes}, from the moment gRPC hands the message over until its parse
 *       has finished; a request that would take the total over is not read but answered
 *       RESOURCE_EXHAUSTED, and so is one larger than the whole budget.</li>
 *   <li><b>Off the event loop.</b> A request of at most {@value #INLINE_BYTES} bytes is
 *       parsed where gRPC delivers it (its event loop); a larger one is parsed on one of
 *       {@value #THREADS} parse threads ({@code ledger-parse-N}), and handed back to the
 *       call's event loop in order, so that no request holds a loop for longer than a
 *       1 MiB parse takes.</li>
 * </ul>
 * Thread-safe. {@link #close()} stops the parse threads; parses still queued are dropped
 * (their bytes released).
 */
final class WireBatchParsing implements AutoCloseable {
    /** Requests up to this size are parsed on the thread that delivers them. */
    static final int INLINE_BYTES = 1 << 20;
    static final int THREADS = 2;
    private static final System.Logger LOG = System.getLogger(WireBatchParsing.class.getName());

    private final long budgetBytes;
    private final AtomicLong parsingBytes = new AtomicLong();
    private final LongAdder refused = new LongAdder();
    private final LongAdder offloaded = new LongAdder();
    /** The longest parse since start, in nanoseconds. */
    private final AtomicLong longestParseNanos = new AtomicLong();
    private final ExecutorService parsers;
    private final MethodDescriptor.Marshaller<Parsed> marshaller = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Parsed value) {
            return value.now().toProto().toByteString().newInput();
        }

        @Override
        public Parsed parse(InputStream stream) {
            return WireBatchParsing.this.parse(stream);
        }
    };

    /** @param budgetBytes bytes of requests being parsed at once, over all calls */
    WireBatchParsing(long budgetBytes) {
        this(budgetBytes, true);
    }

    private WireBatchParsing(long budgetBytes, boolean offload) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("the parse budget must be at least 1 byte, not " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
        AtomicInteger n = new AtomicInteger();
        this.parsers = !offload ? null : Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "ledger-parse-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** Every request parsed where gRPC delivers it, without a budget: the no-op baseline's way. Owns no thread. */
    static WireBatchParsing inline() {
        return new WireBatchParsing(Long.MAX_VALUE, false);
    }

    /** The marshaller of {@code AppendBatchRequest}s as {@link Parsed} requests. */
    MethodDescriptor.Marshaller<Parsed> marshaller() {
        return marshaller;
    }

    /** Bytes of requests being parsed now. */
    long parsingBytes() {
        return parsingBytes.get();
    }

    /**
     * Registers {@code ledger.parse.bytes} (bytes being parsed), {@code ledger.parse.refusals}
     * (requests refused for the budget), {@code ledger.parse.offloaded} (requests parsed off
     * their event loop) and {@code ledger.parse.longest} (the longest parse, in seconds).
     */
    void bindTo(MeterRegistry registry) {
        Gauge.builder("ledger.parse.bytes", parsingBytes, AtomicLong::get).baseUnit("bytes")
            .description("bytes of AppendBatch and AppendStream requests being parsed now").register(registry);
        FunctionCounter.builder("ledger.parse.refusals", refused, LongAdder::sum)
            .description("requests answered RESOURCE_EXHAUSTED because the parse budget was spent").register(registry);
        FunctionCounter.builder("ledger.parse.offloaded", offloaded, LongAdder::sum)
            .description("requests over 1 MiB, parsed on a parse thread instead of their event loop")
            .register(registry);
        Gauge.builder("ledger.parse.longest", longestParseNanos, n -> n.get() / 1e9).baseUnit("seconds")
            .description("the longest parse of one AppendBatch or AppendStream request since start").register(registry);
    }

    private Parsed parse(InputStream stream) {
        int size;
        try {
            size = stream instanceof KnownLength ? stream.available() : -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long charge = size < 0 ? INLINE_BYTES : size;
        Status over = charge(charge);
        if (over != null) {
            return Parsed.known(over);
        }
        boolean handedOff = false;
        try {
            byte[] bytes = readAll(stream, size);
            if (bytes.length <= INLINE_BYTES || parsers == null) {
                return Parsed.known(parseOrStatus(bytes));
            }
            CompletableFuture<Object> result = new CompletableFuture<>();
            parsers.execute(() -> {
                try {
                    result.complete(parseOrStatus(bytes));
                } catch (Throwable e) { // out of memory, say: the call is answered all the same, never left hanging
                    LOG.log(System.Logger.Level.ERROR, "parsing a request of " + bytes.length + " bytes failed", e);
                    result.complete(Status.RESOURCE_EXHAUSTED.withDescription("the server could not parse this request"
                        + " of " + bytes.length + " bytes (" + e.getClass().getSimpleName() + "); retry later"));
                } finally {
                    release(charge);
                }
            });
            handedOff = true;
            offloaded.increment();
            return new Parsed(result);
        } catch (RejectedExecutionException e) {
            return Parsed.known(Status.UNAVAILABLE.withDescription("the server is shutting down"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!handedOff) {
                release(charge);
            }
        }
    }

    /** Null when {@code bytes} fit the budget (and are now counted), else the refusal. */
    private Status charge(long bytes) {
        if (bytes > budgetBytes) {
            refused.increment();
            return Status.RESOURCE_EXHAUSTED.withDescription("the request is " + bytes
                + " bytes; the server parses at most " + budgetBytes + " bytes of requests at once"
                + " (LEDGER_PARSE_BUDGET_BYTES): send smaller batches");
        }
        while (true) {
            long now = parsingBytes.get();
            if (now + bytes > budgetBytes) {
                refused.increment();
                return Status.RESOURCE_EXHAUSTED.withDescription("the server is parsing " + now
                    + " bytes of requests and this one of " + bytes + " bytes would exceed its parse budget of "
                    + budgetBytes + " bytes (LEDGER_PARSE_BUDGET_BYTES); retry shortly");
            }
            if (parsingBytes.compareAndSet(now, now + bytes)) {
                return null;
            }
        }
    }

    private void release(long bytes) {
        parsingBytes.addAndGet(-bytes);
    }

    /** The parsed batch, or the INVALID_ARGUMENT status of bytes that are not an {@code AppendBatchRequest}. */
    private Object parseOrStatus(byte[] bytes) {
        long start = System.nanoTime();
        try {
            return WireBatch.parse(bytes);
        } catch (InvalidProtocolBufferException e) {
            return Status.INVALID_ARGUMENT.withDescription("the request is not a valid AppendBatchRequest message: "
                + e.getMessage());
        } finally {
            longestParseNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        }
    }

    /** The whole message: read into one array of its size when gRPC knows it (it does for a received message). */
    private static byte[] readAll(InputStream stream, int size) throws IOException {
        if (size < 0) {
            return stream.readAllBytes();
        }
        byte[] bytes = new byte[size];
        if (stream.readNBytes(bytes, 0, size) == size && stream.read() < 0) {
            return bytes;
        }
        throw new IOException("the message was not the " + size + " bytes gRPC announced");
    }

    @Override
    public void close() {
        if (parsers == null) {
            return;
        }
        parsers.shutdownNow();
        try {
            parsers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A request as the marshaller hands it on: its batch, or the status to end the call
     * with; either known at once, or later, when a parse thread has read it.
     */
    static final class Parsed {
        private final CompletableFuture<Object> result;

        private Parsed(CompletableFuture<Object> result) {
            this.result = result;
        }

        /** @param batchOrStatus a {@link WireBatch}, or the {@link Status} to end the call with */
        static Parsed known(Object batchOrStatus) {
            return new Parsed(CompletableFuture.completedFuture(batchOrStatus));
        }

        /** Whether the outcome is known. */
        boolean done() {
            return result.isDone();
        }

        /** The outcome, once {@link #done()}: a {@link WireBatch} or a {@link Status}. */
        Object outcome() {
            return result.join();
        }

        /** The batch, waiting for the parse if need be; for the marshaller's other direction only. */
        WireBatch now() {
            return (WireBatch) result.join();
        }

        /** Runs {@code then} on {@code executor} once the outcome is known. */
        CompletableFuture<Void> whenDone(Executor executor, Runnable then) {
            return result.thenRunAsync(then, executor);
        }
    }
}
