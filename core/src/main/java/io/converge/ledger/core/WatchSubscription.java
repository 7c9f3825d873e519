package io.converge.ledger.core;

/** The ledger's handle on one watch, held by the transport. Thread-safe. */
public interface WatchSubscription {
    /** The sink became ready (or can take the offer it refused): deliver what is waiting. Cheap; call it from any thread. */
    void resume();

    /** Ends the watch and frees everything it holds. Idempotent. */
    void cancel();
}
