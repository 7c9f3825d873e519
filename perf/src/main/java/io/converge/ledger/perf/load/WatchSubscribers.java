package io.converge.ledger.perf.load;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.WatchBatch;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The run's Watch streams: watcher {@code w} watches context {@code w % contexts} over
 * channel {@code w % channels}, from that context's latest sequence when it subscribes
 * (read with a Get), so it must then see every entry the run appends there, in order,
 * with consecutive sequences. For each entry it records the append-to-watch latency, in
 * ns: its receive time minus the send time the appender stamped in the payload (both
 * {@link System#nanoTime()} of this process), when that send time falls in the measured
 * phase. The watchers use Watch (one entry a message) or WatchBatches, as the options say.
 * Stalled watchers, when asked for, watch the first context over channels of their own and
 * read nothing: they only load the server. Events arrive on event loop threads, each watcher's on one thread at a time;
 * {@link #awaitCaughtUp} and {@link #report} may be called from any thread.
 */
final class WatchSubscribers implements AutoCloseable {
    private static final long SETUP_DEADLINE_SECONDS = 10;
    /** Streams per channel of the stalled watchers. */
    private static final int STALLED_PER_CHANNEL = 1000;
    /** The stalled watchers' fixed HTTP/2 window: small, so the server soon finds them not ready. */
    private static final int STALLED_WINDOW = 64 * 1024;

    private final List<Watcher> watchers = new ArrayList<>();
    private final List<ManagedChannel> stalledChannels = new ArrayList<>();
    private final List<ClientCallStreamObserver<WatchRequest>> stalledCalls = new ArrayList<>();
    private final LatencyRecorder latency;
    private final LongAdder measuredDeliveries = new LongAdder();
    private volatile MeasurementWindow window;

    WatchSubscribers(LatencyRecorder latency) {
        this.latency = latency;
    }

    /** Opens the streams; returns once each has been requested (events may still be on their way). */
    void open(LoadOptions options, ClientChannels channels) {
        for (int w = 0; w < options.watchers(); w++) {
            int context = w % options.contexts();
            String contextId = options.contextId(context);
            long from = channels.blocking(w).withDeadlineAfter(SETUP_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .get(GetRequest.newBuilder().setContextId(contextId).setAfterSequence(Long.MAX_VALUE).setLimit(1)
                    .build())
                .getLatestSequence();
            Watcher watcher = new Watcher(w, context, from);
            watchers.add(watcher);
            WatchRequest request = WatchRequest.newBuilder().setContextId(contextId).setFromSequence(from).build();
            if (options.watchRpc() == LoadOptions.WatchRpc.BATCHES) {
                channels.stub(w).watchBatches(request, watcher.batches());
            } else {
                channels.stub(w).watch(request, watcher.events());
            }
        }
        openStalled(options);
    }

    /** Opens the stalled watchers: from the first context's start, reading nothing. */
    private void openStalled(LoadOptions options) {
        WatchRequest request = WatchRequest.newBuilder().setContextId(options.contextId(0)).build();
        for (int w = 0; w < options.stalledWatchers(); w++) {
            if (w % STALLED_PER_CHANNEL == 0) {
                stalledChannels.add(NettyChannelBuilder.forAddress(options.host(), options.port()).usePlaintext()
                    .flowControlWindow(STALLED_WINDOW).build());
            }
            ContextServiceGrpc.ContextServiceStub stub = ContextServiceGrpc.newStub(last(stalledChannels));
            if (options.watchRpc() == LoadOptions.WatchRpc.BATCHES) {
                stub.watchBatches(request, new Stalled<>());
            } else {
                stub.watch(request, new Stalled<>());
            }
        }
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    /** A stream that asks for nothing. */
    private final class Stalled<R> implements ClientResponseObserver<WatchRequest, R> {
        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            requestStream.disableAutoRequestWithInitial(0);
            synchronized (stalledCalls) {
                stalledCalls.add(requestStream);
            }
        }

        @Override
        public void onNext(R value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    /** Sets the phase whose deliveries are measured; before it is set, nothing is recorded. */
    void measure(MeasurementWindow measured) {
        this.window = measured;
    }

    /**
     * Waits, at most {@code timeoutNanos}, until every watcher has seen its context's
     * latest sequence as {@code outcomes} knows it, or has failed.
     *
     * @return whether every watcher caught up
     */
    boolean awaitCaughtUp(AppendOutcomes outcomes, long timeoutNanos) throws InterruptedException {
        long until = System.nanoTime() + timeoutNanos;
        while (true) {
            boolean all = true;
            for (Watcher w : watchers) {
                all &= w.failure == null && w.lastSequence >= outcomes.latestSequence(w.context);
            }
            if (all) {
                return true;
            }
            if (until - System.nanoTime() <= 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** Entries delivered to all watchers whose send time fell in the measured phase. */
    long measuredDeliveries() {
        return measuredDeliveries.sum();
    }

    /** One line per watcher; complete when it saw every sequence up to its context's latest and no gap. */
    List<WatcherReport> report(AppendOutcomes outcomes) {
        List<WatcherReport> reports = new ArrayList<>();
        for (Watcher w : watchers) {
            long expected = outcomes.latestSequence(w.context) - w.fromSequence;
            reports.add(new WatcherReport(w.id, w.context, expected, w.received, w.gaps, w.firstGap, w.failure,
                w.firstAt, w.lastAt));
        }
        return reports;
    }

    @Override
    public void close() {
        for (Watcher w : watchers) {
            w.closing = true;
            ClientCallStreamObserver<WatchRequest> call = w.call;
            if (call != null) {
                call.cancel("load run over", null);
            }
        }
        synchronized (stalledCalls) {
            stalledCalls.forEach(c -> c.cancel("load run over", null));
        }
        stalledChannels.forEach(ManagedChannel::shutdownNow);
    }

    /**
     * What one watcher saw.
     *
     * @param expected entries appended to its context after it subscribed
     * @param received entries it received
     * @param gaps     times an entry's sequence was not the previous one + 1
     * @param firstGap a description of the first gap, or null
     * @param failure  the status its stream ended with before the run was over, or null
     * @param firstAt  {@link System#nanoTime()} of its first entry (0 when none)
     * @param lastAt   {@link System#nanoTime()} of its last entry (0 when none)
     */
    record WatcherReport(int watcher, int context, long expected, long received, long gaps, String firstGap,
        String failure, long firstAt, long lastAt) {
        boolean complete() {
            return failure == null && gaps == 0 && received == expected;
        }
    }

    /**
     * Entries received by all watchers per second, from the first entry any received to the
     * last: the fan-out rate, whether or not the watchers kept up with the measured phase.
     */
    static double receivedPerSecond(List<WatcherReport> reports) {
        long received = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (WatcherReport r : reports) {
            if (r.received() > 0) {
                received += r.received();
                first = Math.min(first, r.firstAt());
                last = Math.max(last, r.lastAt());
            }
        }
        return received == 0 || last <= first ? 0 : received * 1e9 / (last - first);
    }

    /** One stream; its fields are written by the event loop thread that delivers its events. */
    private final class Watcher {
        private final int id;
        private final int context;
        private final long fromSequence;
        private volatile ClientCallStreamObserver<WatchRequest> call;
        private volatile long lastSequence;
        private volatile long received;
        private volatile long gaps;
        private volatile String firstGap;
        private volatile String failure;
        private volatile boolean closing;
        private volatile long firstAt;
        private volatile long lastAt;

        Watcher(int id, int context, long fromSequence) {
            this.id = id;
            this.context = context;
            this.fromSequence = fromSequence;
            this.lastSequence = fromSequence;
        }

        ClientResponseObserver<WatchRequest, WatchEvent> events() {
            return new Observer<>() {
                @Override
                public void onNext(WatchEvent event) {
                    onEntry(event.getEntry(), System.nanoTime());
                }
            };
        }

        ClientResponseObserver<WatchRequest, WatchBatch> batches() {
            return new Observer<>() {
                @Override
                public void onNext(WatchBatch batch) {
                    long now = System.nanoTime();
                    for (int i = 0, n = batch.getEntriesCount(); i < n; i++) {
                        onEntry(batch.getEntries(i), now);
                    }
                }
            };
        }

        private void onEntry(Entry entry, long now) {
            long sequence = entry.getSequence();
            if (sequence != lastSequence + 1) {
                if (gaps == 0) {
                    firstGap = "expected sequence " + (lastSequence + 1) + ", got " + sequence;
                }
                gaps = gaps + 1;
            }
            lastSequence = Math.max(lastSequence, sequence);
            if (received == 0) {
                firstAt = now;
            }
            lastAt = now;
            received = received + 1;
            MeasurementWindow measured = window;
            long sent = AppendRequests.stamp(entry.getPayload());
            if (measured != null && measured.measures(sent)) {
                latency.record(now - sent);
                measuredDeliveries.increment();
            }
        }

        /** The stream's callbacks other than its messages. */
        private abstract class Observer<R> implements ClientResponseObserver<WatchRequest, R> {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
                call = requestStream;
            }

            @Override
            public void onError(Throwable t) {
                if (!closing) {
                    Status status = Status.fromThrowable(t);
                    failure = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
                }
            }

            @Override
            public void onCompleted() {
                if (!closing) {
                    failure = "stream ended with OK before the run was over";
                }
            }
        }
    }
}
