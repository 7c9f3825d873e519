package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendBatchRequest;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

/**
 * Entries over unary {@code AppendBatch}, closed loop: {@code streams} callers, each with
 * {@code window} batches in flight; each of those slots issues its next batch from the
 * callback of the previous one's response (on the connection's event loop thread), until
 * the measured phase is over. Caller {@code c} uses channel {@code c % channels}. A
 * batch's latency runs from just before the call to its response and is recorded once
 * per entry of it. The calls of one caller may be answered in any order, so sequence
 * order is checked within each batch only. Each slot is touched by one thread at a time.
 */
final class BatchCallerDriver implements AppendDriver {
    private final LoadOptions options;
    private final ClientChannels channels;
    private final AppendBatches batches;
    private final AppendOutcomes outcomes;
    private final LatencyRecorder latency;
    private final MethodDescriptor<AppendBatchRequest, BatchAcks> method;
    /** Re-issues after a failure (see {@link ClosedLoopCall}). */
    private final ExecutorService afterFailure;

    BatchCallerDriver(LoadOptions options, ClientChannels channels, AppendBatches batches, AppendOutcomes outcomes,
        LatencyRecorder latency, ExecutorService afterFailure) {
        this.options = options;
        this.channels = channels;
        this.batches = batches;
        this.outcomes = outcomes;
        this.latency = latency;
        this.afterFailure = afterFailure;
        this.method = BatchAcks.appendBatch(options.batch());
    }

    @Override
    public long run(MeasurementWindow window) throws InterruptedException {
        int slots = options.streams() * options.window();
        CountDownLatch stopped = new CountDownLatch(slots);
        for (int c = 0; c < options.streams(); c++) {
            for (int w = 0; w < options.window(); w++) {
                Slot slot = new Slot(c, c * options.window() + w, slots, window, stopped);
                channels.eventLoop(c).execute(slot::issue);
            }
        }
        window.sleepUntilEnd();
        return AppendDriver.drain(stopped);
    }

    /** One batch in flight of caller {@code caller}; it sends batches {@code first}, {@code first + step}, ... */
    private final class Slot extends ClosedLoopCall<BatchAcks> {
        private final int caller;
        private final int step;
        private long batch;

        Slot(int caller, int first, int step, MeasurementWindow window, CountDownLatch stopped) {
            super(window, stopped, outcomes, afterFailure);
            this.caller = caller;
            this.batch = first;
            this.step = step;
        }

        @Override
        void send(long nowNanos) {
            ClientCalls.asyncUnaryCall(channels.channel(caller).newCall(method, CallOptions.DEFAULT),
                batches.request(batch), this);
        }

        @Override
        void completed(BatchAcks reply, long nanos, boolean measured) {
            if (reply == null) {
                outcomes.failed(new IllegalStateException("completed without a reply"));
            } else if (outcomes.batchReplied(reply, batches, batches.firstContext(batch), null, measured) && measured) {
                latency.record(nanos, reply.count());
            }
        }

        @Override
        void advance() {
            batch += step;
        }
    }
}
