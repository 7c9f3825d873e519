package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendResponse;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The closed loop: {@code callers} callers, each with exactly one Append in flight; a
 * caller issues its next Append from the callback of the previous one's reply (on the
 * connection's event loop thread), until the measured phase is over. Caller {@code c}
 * uses channel {@code c % channels} and sends its {@code k}-th Append to context
 * {@code (c + k) % contexts}. The latency of an Append, in ns, runs from just before the
 * stub call to the reply's completion; it is recorded when the call started in the
 * measured phase, with {@code recordValueWithExpectedInterval} when an expected interval
 * is set. Each caller and its reused observer are touched by one thread at a time.
 */
final class ClosedLoopDriver implements AppendDriver {
    private final LoadOptions options;
    private final ClientChannels channels;
    private final AppendRequests requests;
    private final AppendOutcomes outcomes;
    private final LatencyRecorder latency;
    /** Re-issues after a failure, so that a storm of synchronous failures cannot recurse on one stack. */
    private final ExecutorService afterFailure;

    ClosedLoopDriver(LoadOptions options, ClientChannels channels, AppendRequests requests, AppendOutcomes outcomes,
        LatencyRecorder latency, ExecutorService afterFailure) {
        this.options = options;
        this.channels = channels;
        this.requests = requests;
        this.outcomes = outcomes;
        this.latency = latency;
        this.afterFailure = afterFailure;
    }

    @Override
    public long run(MeasurementWindow window) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(options.callers());
        for (int c = 0; c < options.callers(); c++) {
            new Caller(c, window, stopped).issue();
        }
        window.sleepUntilEnd();
        return AppendDriver.drain(stopped);
    }

    /** One caller: its own observer, reused for each of its calls, one call at a time. */
    private final class Caller implements StreamObserver<AppendResponse> {
        private final int id;
        private final MeasurementWindow window;
        private final CountDownLatch stopped;
        private int context;
        private long startNanos;
        private AppendResponse reply;

        Caller(int id, MeasurementWindow window, CountDownLatch stopped) {
            this.id = id;
            this.window = window;
            this.stopped = stopped;
            this.context = id % options.contexts();
        }

        void issue() {
            long now = System.nanoTime();
            if (window.over(now)) {
                stopped.countDown();
                return;
            }
            reply = null;
            startNanos = now;
            channels.stub(id).append(requests.request(context, now), this);
        }

        @Override
        public void onNext(AppendResponse value) {
            reply = value;
        }

        @Override
        public void onError(Throwable t) {
            outcomes.failed(t);
            next();
            try {
                afterFailure.execute(this::issue);
            } catch (RejectedExecutionException e) {
                stopped.countDown(); // the run is over and its executor gone: this caller stops
            }
        }

        @Override
        public void onCompleted() {
            long nanos = System.nanoTime() - startNanos;
            boolean measured = window.measures(startNanos);
            if (outcomes.replied(context, reply, requests.payloadBytes(), measured) && measured) {
                if (options.expectedIntervalNanos() > 0) {
                    latency.recordWithExpectedInterval(nanos, options.expectedIntervalNanos());
                } else {
                    latency.record(nanos);
                }
            }
            next();
            issue();
        }

        private void next() {
            context = context + 1 == options.contexts() ? 0 : context + 1;
        }
    }
}
