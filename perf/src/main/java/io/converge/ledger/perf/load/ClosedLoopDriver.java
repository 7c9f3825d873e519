package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendResponse;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

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
    /** Re-issues after a failure (see {@link ClosedLoopCall}). */
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
    private final class Caller extends ClosedLoopCall<AppendResponse> {
        private final int id;
        private int context;

        Caller(int id, MeasurementWindow window, CountDownLatch stopped) {
            super(window, stopped, outcomes, afterFailure);
            this.id = id;
            this.context = id % options.contexts();
        }

        @Override
        void send(long nowNanos) {
            channels.stub(id).append(requests.request(context, nowNanos), this);
        }

        @Override
        void completed(AppendResponse reply, long nanos, boolean measured) {
            if (outcomes.replied(context, reply, requests.payloadBytes(), measured) && measured) {
                if (options.expectedIntervalNanos() > 0) {
                    latency.recordWithExpectedInterval(nanos, options.expectedIntervalNanos());
                } else {
                    latency.record(nanos);
                }
            }
        }

        @Override
        void advance() {
            context = context + 1 == options.contexts() ? 0 : context + 1;
        }
    }
}
