package io.converge.ledger.transport;

import java.util.List;

/**
 * The ways the contract tests reach the server: all must behave identically. The first two
 * serve a standalone ledger; {@link #NETTY_CLUSTER_MEMBER} serves one member of a cluster.
 */
enum Transport {
    /** grpc-java's in-process transport: no sockets, same service code. */
    IN_PROCESS,
    /** A real Netty server bound to an ephemeral port on loopback, and a Netty client. */
    NETTY,
    /**
     * As {@link #NETTY}, the server being a follower of a fresh 3-member cluster in this JVM
     * (see {@link ServedClusterMember}): its writes are forwarded to the leader, and acknowledged
     * once committed and applied here.
     */
    NETTY_CLUSTER_MEMBER;

    /** The transports to a standalone server, for the tests that do not run against a cluster member. */
    static final List<Transport> STANDALONE = List.of(IN_PROCESS, NETTY);

    /** Whether the client reaches the server over Netty on loopback (HTTP/2 on a socket). */
    boolean overNetty() {
        return this != IN_PROCESS;
    }

    /** Whether the server is a member of a cluster rather than a standalone ledger. */
    boolean clustered() {
        return this == NETTY_CLUSTER_MEMBER;
    }
}
