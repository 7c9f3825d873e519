package io.converge.ledger.transport;

/** A gRPC server this module started: the ledger, or the no-op baseline. */
public interface RunningServer extends AutoCloseable {
    /** The port the server listens on, or -1 for transports without one. */
    int port();

    /** The port metrics are served on over HTTP, or -1 when they are not. */
    int metricsPort();

    /** Blocks until the server has terminated. */
    void awaitTermination() throws InterruptedException;

    /** Shuts down gracefully and waits, bounded, for calls in flight. Idempotent. */
    @Override
    void close();
}
