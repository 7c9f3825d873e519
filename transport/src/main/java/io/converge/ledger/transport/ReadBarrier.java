package io.converge.ledger.transport;

import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The wait a read (Get, Snapshot, SnapshotChunks) makes before it looks at the store, so that
 * it sees every entry acknowledged before it began, on any member of a cluster
 * ({@link Ledger#readBarrier()}). Free standalone. Blocks a read-lane or transfer-lane
 * thread, never an event loop.
 */
final class ReadBarrier {
    /** A backstop only: the cluster fails a barrier itself after its commit timeout. */
    private static final long BACKSTOP_SECONDS = 60;

    private ReadBarrier() {
    }

    /**
     * Checks the read's context id and key filter (empty for none), then waits for the barrier.
     *
     * @throws LedgerException INVALID_ARGUMENT for a bad id or filter (before any wait);
     *                         UNAVAILABLE when this member cannot confirm it is up to date
     */
    static void await(Ledger ledger, String contextId, String keyFilter) {
        if (!ledger.clustered()) {
            return;
        }
        ledger.view(contextId, keyFilter);
        CompletableFuture<Void> barrier = ledger.readBarrier();
        if (barrier.isDone() && !barrier.isCompletedExceptionally()) {
            return;
        }
        try {
            barrier.get(BACKSTOP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LedgerException refused) {
                throw refused;
            }
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the read barrier failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "this member could not confirm within "
                + BACKSTOP_SECONDS + " s that it holds every acknowledged entry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the server is shutting down");
        }
    }
}
