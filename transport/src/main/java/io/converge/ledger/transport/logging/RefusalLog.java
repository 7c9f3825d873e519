package io.converge.ledger.transport.logging;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Logs every call the server closes with a status other than OK: the method, the code and
 * the description the client got. The level says whose problem it is: the server's faults
 * ({@code INTERNAL}, {@code UNKNOWN}, {@code DATA_LOSS}, {@code UNIMPLEMENTED}) at error,
 * overload and unavailability ({@code RESOURCE_EXHAUSTED}, {@code UNAVAILABLE}) at warn, a
 * client's bad input or missing rights at info, and {@code CANCELLED} and
 * {@code DEADLINE_EXCEEDED} (the client gave up) at debug. The {@link LogOutput}'s rate limit
 * bounds each level separately, so a flood of bad requests cannot hide a fault or fill a disk.
 *
 * <p>Thread-safe. Per call it allocates one forwarding wrapper; a call that ends OK writes
 * nothing.
 */
public final class RefusalLog implements ServerInterceptor {
    private static final System.Logger LOG = System.getLogger(RefusalLog.class.getName());

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        return next.startCall(new LoggedCall<>(call), headers);
    }

    /** The level a call closed with {@code code} is logged at; null for OK. */
    static System.Logger.Level levelOf(Status.Code code) {
        return switch (code) {
            case OK -> null;
            case INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED -> System.Logger.Level.ERROR;
            case RESOURCE_EXHAUSTED, UNAVAILABLE -> System.Logger.Level.WARNING;
            case CANCELLED, DEADLINE_EXCEEDED -> System.Logger.Level.DEBUG;
            default -> System.Logger.Level.INFO;
        };
    }

    private static final class LoggedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        LoggedCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            System.Logger.Level level = levelOf(status.getCode());
            if (level != null && LOG.isLoggable(level)) {
                LOG.log(level, getMethodDescriptor().getFullMethodName() + " answered " + status.getCode()
                    + (status.getDescription() == null ? "" : ": " + status.getDescription()), status.getCause());
            }
            super.close(status, trailers);
        }
    }
}
