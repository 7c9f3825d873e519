package io.converge.ledger.transport;

import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;

import java.util.List;
import java.util.function.Function;

/**
 * The client end of one AppendStream: sends batches, records every response and how the
 * stream ended. Every wait is bounded. Thread-safe.
 */
final class AppendStreamRecorder extends StreamRecorder<AppendBatchRequest, AppendBatchResponse, AppendBatchResponse> {
    AppendStreamRecorder() {
        super(Function.identity(), "responses");
    }

    /** Sends one batch, whatever the stream's readiness (gRPC buffers it on the client). */
    void send(AppendBatchRequest batch) {
        call().onNext(batch);
    }

    /** Half-closes: no more batches. */
    void finish() {
        call().onCompleted();
    }

    List<AppendBatchResponse> responses() {
        return items();
    }
}
