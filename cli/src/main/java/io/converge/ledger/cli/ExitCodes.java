package io.converge.ledger.cli;

import io.grpc.Status;

/**
 * The exit status of every command (docs/CLI.md lists them):
 * <ul>
 *   <li>0: done;</li>
 *   <li>1: the CLI itself failed (a bug: it prints the exception);</li>
 *   <li>2: bad usage (an unknown option, a missing argument);</li>
 *   <li>3: a local file cannot be read or written;</li>
 *   <li>4: health: the server answers, but is not serving;</li>
 *   <li>5: stats: no metrics endpoint answers;</li>
 *   <li>10 + the gRPC status code for a call the server (or the channel) ended with that
 *       status: 11 CANCELLED, 12 UNKNOWN, 13 INVALID_ARGUMENT, 14 DEADLINE_EXCEEDED, 15 NOT_FOUND,
 *       16 ALREADY_EXISTS, 17 PERMISSION_DENIED, 18 RESOURCE_EXHAUSTED, 19 FAILED_PRECONDITION,
 *       20 ABORTED, 21 OUT_OF_RANGE, 22 UNIMPLEMENTED, 23 INTERNAL, 24 UNAVAILABLE, 25 DATA_LOSS,
 *       26 UNAUTHENTICATED.</li>
 * </ul>
 */
final class ExitCodes {
    static final int OK = 0;
    static final int SOFTWARE = 1;
    static final int USAGE = 2;
    static final int FILE = 3;
    static final int NOT_SERVING = 4;
    static final int METRICS_OFF = 5;
    static final int GRPC_BASE = 10;

    private ExitCodes() {
    }

    static int of(Status.Code code) {
        return GRPC_BASE + code.value();
    }
}
