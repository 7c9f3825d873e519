package io.converge.ledger.transport.security;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets a call through only with an {@code authorization: Bearer <token>} header whose token
 * the tokens file lists with a role that {@linkplain MethodRoles#needed covers} the method:
 * <ul>
 *   <li>no header, or not a Bearer one: UNAUTHENTICATED (reason {@code missing});</li>
 *   <li>a token the file does not list: UNAUTHENTICATED (reason {@code unknown});</li>
 *   <li>a listed token of a smaller role: PERMISSION_DENIED naming the role needed
 *       (reason {@code role}).</li>
 * </ul>
 * {@linkplain MethodRoles#isOpen Open} methods (health) pass without a header. A refused call
 * never reaches the service. Messages never contain the presented token.
 *
 * <p>{@link #reload()} swaps in the file's current tokens atomically: calls already admitted
 * go on, connections stay open, and a file that no longer checks out leaves the old tokens in
 * force. Thread-safe.
 */
public final class TokenAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";
    private static final System.Logger LOG = System.getLogger(TokenAuthInterceptor.class.getName());

    private final Path file;
    private volatile AuthTokens tokens;
    private final LongAdder missing = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder role = new LongAdder();

    /** @param tokens {@code file}'s tokens as read at start */
    public TokenAuthInterceptor(Path file, AuthTokens tokens) {
        this.file = file;
        this.tokens = tokens;
    }

    /**
     * Serves the refusal counts as {@code ledger.auth.refusals{reason}} (reason: missing, unknown, role).
     */
    public void bindTo(MeterRegistry registry) {
        bind(registry, "missing", missing);
        bind(registry, "unknown", unknown);
        bind(registry, "role", role);
    }

    private static void bind(MeterRegistry registry, String reason, LongAdder count) {
        FunctionCounter.builder("ledger.auth.refusals", count, LongAdder::doubleValue)
            .description("calls refused by token authentication, by reason: missing (no Bearer token), "
                + "unknown (a token the tokens file does not list), role (the token's role is too small)")
            .tag("reason", reason)
            .register(registry);
    }

    /**
     * Reads the tokens file again. When it checks out, its tokens replace the current ones;
     * otherwise the current ones stay, and the reason is logged.
     *
     * @return whether the file's tokens are now in force
     */
    public boolean reload() {
        try {
            AuthTokens fresh = AuthTokens.read(file);
            tokens = fresh;
            LOG.log(System.Logger.Level.INFO, "reloaded " + fresh.size() + " tokens from " + file);
            return true;
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "kept the " + tokens.size() + " tokens in force: " + e.getMessage());
            return false;
        }
    }

    /** How many calls were refused for {@code reason} (missing, unknown, role) since start. */
    public long refusals(String reason) {
        return switch (reason) {
            case "missing" -> missing.sum();
            case "unknown" -> unknown.sum();
            case "role" -> role.sum();
            default -> throw new IllegalArgumentException("no reason " + reason);
        };
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (MethodRoles.isOpen(method)) {
            return next.startCall(call, headers);
        }
        String header = headers.get(AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length()
            || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            missing.increment();
            return refuse(call, Status.UNAUTHENTICATED.withDescription(
                "this server needs a token: send the header \"authorization: Bearer <token>\""));
        }
        Role granted = tokens.roleOf(header.substring(BEARER.length()).strip());
        if (granted == null) {
            unknown.increment();
            return refuse(call, Status.UNAUTHENTICATED.withDescription("the token is not one this server knows"));
        }
        Role needed = MethodRoles.needed(method);
        if (!granted.covers(needed)) {
            role.increment();
            String name = method.substring(method.lastIndexOf('/') + 1);
            return refuse(call, Status.PERMISSION_DENIED.withDescription(name + " needs the " + needed.label()
                + " role; this token has " + granted.label()));
        }
        return next.startCall(call, headers);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
