package io.converge.ledger.transport;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls any method once, whatever its kind (unary or streaming), with given headers, and tells
 * how the call started: {@link Status#OK} when the first response arrived (the call is then
 * cancelled), else the status the call was closed with.
 */
final class CallProbe {
    private CallProbe() {
    }

    static <Q, R> Status probe(Channel channel, MethodDescriptor<Q, R> method, Q request, Metadata headers)
        throws Exception {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        ClientCall<Q, R> call = channel.newCall(method,
            CallOptions.DEFAULT.withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS));
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(R message) {
                outcome.complete(Status.OK);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                outcome.complete(status);
            }
        }, headers);
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        try {
            return outcome.get(LedgerFixture.DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(method.getFullMethodName() + " neither answered nor closed", e);
        } finally {
            call.cancel("probe done", null);
        }
    }
}
