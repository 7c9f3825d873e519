package io.converge.ledger.core;

/**
 * A request the ledger refused, with the {@link Reason} a client is told and a message
 * that says what was wrong. A refused request changed nothing.
 *
 * <p>Thrown synchronously for bad input, or handed to a callback when the sequencer
 * refuses a command. Carries no stack trace: it is an answer, not a bug report.
 */
public final class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request was refused; the transport maps each to one gRPC status code. */
    public enum Reason {
        /** The request is malformed or breaks a limit of the contract. */
        INVALID_ARGUMENT,
        /** A size limit, the memory budget or the ring's capacity is exhausted. */
        RESOURCE_EXHAUSTED,
        /** Load with {@code fail_if_exists} into a context that has entries. */
        ALREADY_EXISTS,
        /** Load whose entries would leave a gap after the target's latest sequence. */
        FAILED_PRECONDITION,
        /** The ledger is shutting down, or stopped after a fault, or its store failed a write. */
        UNAVAILABLE,
        /** The server itself failed on this request (a fault in a ring handler); never the client's input. */
        INTERNAL
    }

    private final Reason reason;

    public LedgerException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static LedgerException invalid(String message) {
        return new LedgerException(Reason.INVALID_ARGUMENT, message);
    }

    static LedgerException exhausted(String message) {
        return new LedgerException(Reason.RESOURCE_EXHAUSTED, message);
    }
}
