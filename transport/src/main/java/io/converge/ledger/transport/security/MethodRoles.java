package io.converge.ledger.transport.security;

import io.converge.context.v1.ContextServiceGrpc;

import java.util.Map;

/**
 * The role each rpc needs. Health needs none (a load balancer checks it without a token);
 * server reflection needs {@link Role#READ}; every other method, including any added to the
 * service later and not listed here, needs {@link Role#ADMIN}, so a new rpc is closed until
 * it is placed. Immutable.
 */
public final class MethodRoles {
    private static final String CONTEXT = ContextServiceGrpc.SERVICE_NAME + "/";
    private static final Map<String, Role> ROLES = Map.ofEntries(
        Map.entry(CONTEXT + "Get", Role.READ),
        Map.entry(CONTEXT + "Watch", Role.READ),
        Map.entry(CONTEXT + "WatchBatches", Role.READ),
        Map.entry(CONTEXT + "Snapshot", Role.READ),
        Map.entry(CONTEXT + "SnapshotChunks", Role.READ),
        Map.entry(CONTEXT + "Append", Role.WRITE),
        Map.entry(CONTEXT + "AppendBatch", Role.WRITE),
        Map.entry(CONTEXT + "AppendStream", Role.WRITE),
        Map.entry(CONTEXT + "Load", Role.ADMIN),
        Map.entry(CONTEXT + "LoadChunks", Role.ADMIN));

    private MethodRoles() {
    }

    /** Whether {@code fullMethodName} is served to anyone, with or without a token. */
    public static boolean isOpen(String fullMethodName) {
        return fullMethodName.startsWith("grpc.health.v1.Health/");
    }

    /** The role {@code fullMethodName} needs; meaningless for an {@linkplain #isOpen open} method. */
    public static Role needed(String fullMethodName) {
        Role role = ROLES.get(fullMethodName);
        if (role != null) {
            return role;
        }
        if (fullMethodName.startsWith("grpc.reflection.")) {
            return Role.READ;
        }
        return Role.ADMIN;
    }
}
