package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendBatchRequest;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Entries over {@code AppendStream}: {@code streams} streams, stream {@code s} on channel
 * {@code s % channels}, each with at most {@code window} batches sent and not yet acked,
 * and sending only while gRPC reports the call ready, so the client never buffers without
 * bound. Stream {@code s} sends prebuilt batch {@code s + j * streams} as its {@code j}-th.
 * Everything a stream does (start, send, read acks, half-close) runs on its channel's
 * event loop thread, so its state has one thread at a time.
 *
 * <ul>
 *   <li><b>Closed loop:</b> a stream sends whenever its window and the call allow, until
 *       the measured phase ends; then it waits for its acks and half-closes. A batch's
 *       latency runs from its send to its response.</li>
 *   <li><b>Open loop</b> ({@code --rate}, entries/s): batch {@code k} of the whole run is
 *       due at {@code start + k * batch / rate} on stream {@code k % streams}; the sender
 *       thread (the one calling {@link #run}) only tells the stream. A due batch the
 *       window or the call holds back waits (counted once in {@link #capWaits}), and its
 *       latency still runs from its intended time (corrected); the uncorrected histogram
 *       runs from the actual send. Due batches still unsent a grace second after the run
 *       are given up ({@link #unsent}).</li>
 * </ul>
 *
 * <p>Each batch's latency is recorded once per entry of it. Responses come in order, so
 * every ack's sequence must exceed the previous one of its context on the same stream
 * (tracked for up to {@link #TRACKED_CONTEXTS} contexts; beyond, within each batch only).
 * A failed stream counts once by its status and stops; the others carry on.
 */
final class StreamDriver implements AppendDriver {
    /** Above this many contexts a stream checks sequence order within each batch only. */
    static final int TRACKED_CONTEXTS = 4096;

    private final LoadOptions options;
    private final ClientChannels channels;
    private final AppendBatches batches;
    private final AppendOutcomes outcomes;
    private final LatencyRecorder latency;
    private final LatencyRecorder uncorrected;
    private final MethodDescriptor<AppendBatchRequest, BatchAcks> method;
    private final boolean open;
    private final AtomicLong capWaits = new AtomicLong();
    private final AtomicLong unsent = new AtomicLong();
    private long sent;
    private long senderCpuNanos = -1;

    /** @param uncorrected open loop: from the actual send; unused in the closed loop */
    StreamDriver(LoadOptions options, ClientChannels channels, AppendBatches batches, AppendOutcomes outcomes,
        LatencyRecorder latency, LatencyRecorder uncorrected) {
        this.options = options;
        this.channels = channels;
        this.batches = batches;
        this.outcomes = outcomes;
        this.latency = latency;
        this.uncorrected = uncorrected;
        this.method = BatchAcks.appendStream(options.batch());
        this.open = options.mode() == LoadOptions.Mode.OPEN;
    }

    @Override
    public long run(MeasurementWindow window) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(options.streams());
        Stream[] streams = new Stream[options.streams()];
        for (int s = 0; s < streams.length; s++) {
            streams[s] = new Stream(s, window, ended);
            channels.eventLoop(s).execute(streams[s]::start);
        }
        if (open) {
            schedule(window, streams);
        } else {
            window.sleepUntilEnd();
        }
        for (int s = 0; s < streams.length; s++) {
            channels.eventLoop(s).execute(streams[s]::finish);
        }
        ended.await(DRAIN_WAIT_NANOS, TimeUnit.NANOSECONDS);
        long unanswered = 0;
        for (Stream stream : streams) {
            unanswered += stream.unanswered;
        }
        return unanswered;
    }

    /** The open loop's sender: marks batch {@code k} due on its stream at its intended time. */
    private void schedule(MeasurementWindow window, Stream[] streams) {
        double nanosPerBatch = 1e9 * options.batch() / options.rate();
        long total = (long) Math.ceil((window.endNanos() - window.startNanos()) / nanosPerBatch);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuAtStart = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        long k = 0;
        for (; k < total; k++) {
            long intended = window.startNanos() + (long) (k * nanosPerBatch);
            long now = System.nanoTime();
            while (intended - now > 0) {
                LockSupport.parkNanos(intended - now);
                now = System.nanoTime();
            }
            if (now - window.endNanos() - OpenLoopDriver.LATE_SEND_GRACE_NANOS >= 0) {
                break;
            }
            Stream stream = streams[(int) (k % streams.length)];
            stream.due.incrementAndGet();
            if (stream.woken.compareAndSet(false, true)) {
                channels.eventLoop(stream.id).execute(stream.wake);
            }
        }
        sent = k;
        unsent.addAndGet(total - k);
        if (cpuAtStart >= 0) {
            senderCpuNanos = threads.getCurrentThreadCpuTime() - cpuAtStart;
        }
    }

    @Override
    public long capWaits() {
        return capWaits.get();
    }

    @Override
    public long unsent() {
        return unsent.get();
    }

    /** The sender thread's CPU time per batch it marked due, in ns. */
    @Override
    public long senderCpuNanosPerSend() {
        return senderCpuNanos < 0 || sent == 0 ? -1 : senderCpuNanos / sent;
    }

    /** One AppendStream. Confined to its channel's event loop, except {@link #due}, {@link #woken}, {@link #unanswered}. */
    private final class Stream implements ClientResponseObserver<AppendBatchRequest, BatchAcks> {
        final int id;
        /** Open loop: batches of this stream due so far; written by the sender. */
        final AtomicLong due = new AtomicLong();
        /** Open loop: a wake-up is queued on the event loop. */
        final AtomicBoolean woken = new AtomicBoolean();
        final Runnable wake;
        /** Batches sent and not answered, published for {@link #run} when the drain wait runs out. */
        volatile long unanswered;
        private final MeasurementWindow window;
        private final CountDownLatch ended;
        private final long[] intendedNanos;
        private final long[] sentNanos;
        private final long[] lastSequence;
        private ClientCallStreamObserver<AppendBatchRequest> requests;
        private long sentBatches;
        private long ackedBatches;
        private long countedWaits;
        private boolean finishing;
        private boolean over;

        Stream(int id, MeasurementWindow window, CountDownLatch ended) {
            this.id = id;
            this.window = window;
            this.ended = ended;
            this.intendedNanos = new long[options.window()];
            this.sentNanos = new long[options.window()];
            this.lastSequence = options.contexts() <= TRACKED_CONTEXTS ? new long[options.contexts()] : null;
            this.wake = () -> {
                woken.set(false);
                pump();
            };
        }

        void start() {
            ClientCalls.asyncBidiStreamingCall(channels.channel(id).newCall(method, CallOptions.DEFAULT), this);
            pump();
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<AppendBatchRequest> stream) {
            this.requests = stream;
            stream.setOnReadyHandler(this::pump);
        }

        /** The sends are over: answer what is in flight, then half-close. */
        void finish() {
            finishing = true;
            pump();
        }

        /** Sends what the loop, the window and the call allow; half-closes once finished and answered. */
        private void pump() {
            if (over || requests == null) {
                return;
            }
            int inFlightCap = intendedNanos.length;
            if (open) {
                long dueNow = due.get();
                while (sentBatches < dueNow && sentBatches - ackedBatches < inFlightCap && requests.isReady()) {
                    send(intendedOf(sentBatches), System.nanoTime());
                }
                if (sentBatches < dueNow && dueNow > countedWaits) {
                    capWaits.addAndGet(dueNow - Math.max(sentBatches, countedWaits));
                    countedWaits = dueNow;
                }
                if (finishing && sentBatches < dueNow
                    && System.nanoTime() - window.endNanos() - OpenLoopDriver.LATE_SEND_GRACE_NANOS >= 0) {
                    unsent.addAndGet(dueNow - sentBatches);
                    due.set(sentBatches);
                }
            } else {
                while (!finishing && sentBatches - ackedBatches < inFlightCap && requests.isReady()) {
                    long now = System.nanoTime();
                    if (window.over(now)) {
                        finishing = true;
                        break;
                    }
                    send(now, now);
                }
            }
            if (finishing && sentBatches == ackedBatches && (!open || sentBatches >= due.get())) {
                over = true;
                requests.onCompleted();
            }
        }

        /** Open loop: when this stream's {@code j}-th batch, batch {@code j * streams + id} of the run, was due. */
        private long intendedOf(long j) {
            return window.startNanos() + (long) ((j * options.streams() + id) * 1e9 * options.batch() / options.rate());
        }

        private void send(long intended, long now) {
            int slot = (int) (sentBatches % intendedNanos.length);
            intendedNanos[slot] = intended;
            sentNanos[slot] = now;
            requests.onNext(batches.request(sentBatches * options.streams() + id));
            sentBatches++;
            unanswered = sentBatches - ackedBatches;
        }

        @Override
        public void onNext(BatchAcks acks) {
            long now = System.nanoTime();
            int slot = (int) (ackedBatches % intendedNanos.length);
            long k = ackedBatches * options.streams() + id;
            boolean measured = window.measures(intendedNanos[slot]);
            if (outcomes.batchReplied(acks, batches, batches.firstContext(k), lastSequence, measured) && measured) {
                latency.record(now - intendedNanos[slot], acks.count());
                if (open) {
                    uncorrected.record(now - sentNanos[slot], acks.count());
                }
            }
            ackedBatches++;
            unanswered = sentBatches - ackedBatches;
            pump();
        }

        @Override
        public void onError(Throwable t) {
            outcomes.failed(t);
            over = true;
            unanswered = 0; // answered, with the stream's status
            ended.countDown();
        }

        @Override
        public void onCompleted() {
            if (sentBatches != ackedBatches || !over) {
                outcomes.failed(new IllegalStateException("the server completed the stream before answering it"));
                over = true;
                unanswered = 0;
            }
            ended.countDown();
        }
    }
}
