package io.converge.ledger.transport;

/** The two ways the contract tests reach the server: both must behave identically. */
enum Transport {
    /** grpc-java's in-process transport: no sockets, same service code. */
    IN_PROCESS,
    /** A real Netty server bound to an ephemeral port on loopback, and a Netty client. */
    NETTY
}
