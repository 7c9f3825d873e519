package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendResponse;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The open loop: one sender thread (the one calling {@link #run}) issues Append
 * {@code i} at its intended time {@code start + i / rate}, whether or not earlier calls
 * have been answered; when it is late it sends at once, catching up. Append {@code i}
 * goes to context {@code i % contexts} over channel {@code i % channels}.
 *
 * <p>Two latencies are recorded per reply, in ns, for calls whose intended time falls in
 * the measured phase: from the <em>intended</em> start (the corrected histogram, free of
 * coordinated omission: a sender or server stall shows up in every call it delayed) and
 * from the actual send (the uncorrected one, what a naive client would report).
 *
 * <p>At most {@code maxOutstanding} calls are in flight: their observers come from a
 * preallocated pool. A send that finds the pool empty waits for a free one (counted in
 * {@link #capWaits}); the wait is part of its corrected latency. Intended sends still
 * pending when the measured phase ends are not issued; {@link #unsent} counts them.
 */
final class OpenLoopDriver implements AppendDriver {
    private final LoadOptions options;
    private final ClientChannels channels;
    private final AppendRequests requests;
    private final AppendOutcomes outcomes;
    private final LatencyRecorder corrected;
    private final LatencyRecorder uncorrected;
    private final ArrayBlockingQueue<Call> free;
    private long capWaits;
    private long unsent;

    OpenLoopDriver(LoadOptions options, ClientChannels channels, AppendRequests requests, AppendOutcomes outcomes,
        LatencyRecorder corrected, LatencyRecorder uncorrected) {
        this.options = options;
        this.channels = channels;
        this.requests = requests;
        this.outcomes = outcomes;
        this.corrected = corrected;
        this.uncorrected = uncorrected;
        this.free = new ArrayBlockingQueue<>(options.maxOutstanding());
        for (int i = 0; i < options.maxOutstanding(); i++) {
            free.add(new Call());
        }
    }

    @Override
    public long run(MeasurementWindow window) throws InterruptedException {
        double nanosPerCall = 1e9 / options.rate();
        long total = (long) Math.ceil((window.endNanos() - window.startNanos()) / nanosPerCall);
        long i = 0;
        for (; i < total; i++) {
            long intended = window.startNanos() + (long) (i * nanosPerCall);
            long now = System.nanoTime();
            while (intended - now > 0) {
                LockSupport.parkNanos(intended - now);
                now = System.nanoTime();
            }
            if (window.over(now)) {
                break;
            }
            Call call = free.poll();
            if (call == null) {
                capWaits++;
                call = free.poll(window.endNanos() - now, TimeUnit.NANOSECONDS);
                if (call == null) {
                    break;
                }
            }
            int context = (int) (i % options.contexts());
            long sent = System.nanoTime();
            call.start(context, intended, sent, window.measures(intended));
            channels.stub((int) (i % channels.size())).append(requests.request(context, sent), call);
        }
        unsent = total - i;
        long drainUntil = System.nanoTime() + DRAIN_WAIT_NANOS;
        while (free.size() < options.maxOutstanding() && drainUntil - System.nanoTime() > 0) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return options.maxOutstanding() - free.size();
    }

    /** Sends that found {@code maxOutstanding} calls in flight and had to wait. Read after {@link #run}. */
    long capWaits() {
        return capWaits;
    }

    /** Intended sends of the run not issued because the sender was still behind when it ended. */
    long unsent() {
        return unsent;
    }

    /** One call in flight: set by the sender, then completed on an event loop thread, then back in the pool. */
    private final class Call implements StreamObserver<AppendResponse> {
        private int context;
        private long intendedNanos;
        private long sentNanos;
        private boolean measured;
        private AppendResponse reply;

        void start(int toContext, long intended, long sent, boolean isMeasured) {
            this.context = toContext;
            this.intendedNanos = intended;
            this.sentNanos = sent;
            this.measured = isMeasured;
            this.reply = null;
        }

        @Override
        public void onNext(AppendResponse value) {
            reply = value;
        }

        @Override
        public void onError(Throwable t) {
            outcomes.failed(t);
            free.add(this);
        }

        @Override
        public void onCompleted() {
            long now = System.nanoTime();
            if (reply == null) {
                outcomes.failed(new IllegalStateException("completed without a reply"));
            } else if (outcomes.replied(context, reply, requests.payloadBytes(), measured) && measured) {
                corrected.record(now - intendedNanos);
                uncorrected.record(now - sentNanos);
            }
            free.add(this);
        }
    }
}
