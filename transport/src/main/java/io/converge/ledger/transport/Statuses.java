package io.converge.ledger.transport;

import io.converge.ledger.core.LedgerException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Maps the ledger's refusals to gRPC statuses, one code per reason. Stateless. */
final class Statuses {
    private Statuses() {
    }

    static StatusRuntimeException of(LedgerException e) {
        Status status = switch (e.reason()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case INTERNAL -> Status.INTERNAL;
        };
        return status.withDescription(e.getMessage()).asRuntimeException();
    }

    /**
     * A failure of the server itself, never of the client's input: the client is told only
     * that (the exception, which may name the server's internals, stays in the server's log).
     */
    static StatusRuntimeException internal(RuntimeException e) {
        return Status.INTERNAL.withDescription("the server failed on this request; its log says why").withCause(e)
            .asRuntimeException();
    }
}
