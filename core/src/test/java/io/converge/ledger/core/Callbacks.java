package io.converge.ledger.core;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Test helpers: the ledger's callbacks as futures, and bounded waits on them. */
final class Callbacks {
    /** Every wait in the core tests is bounded by this. */
    static final long TIMEOUT_SECONDS = 10;

    private Callbacks() {
    }

    /** What {@link AppendCallback#onAppended} reported. */
    record Appended(long sequence, String id, long appendedAtNs) {
    }

    /** What {@link LoadCallback#onLoaded} reported. */
    record Loaded(long entriesRestored, long latestSequence) {
    }

    /** An {@link AppendCallback} that completes a future; a rejection completes it exceptionally. */
    static final class AppendFuture extends CompletableFuture<Appended> implements AppendCallback {
        @Override
        public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
            if (!complete(new Appended(sequence, EntryIds.format(idHi, idLo), appendedAtNs))) {
                throw new AssertionError("append callback called twice");
            }
        }

        @Override
        public void onRejected(LedgerException reason) {
            if (!completeExceptionally(reason)) {
                throw new AssertionError("append callback called twice");
            }
        }

        Appended await() {
            return Callbacks.await(this);
        }
    }

    /** A {@link LoadCallback} that completes a future; a rejection completes it exceptionally. */
    static final class LoadFuture extends CompletableFuture<Loaded> implements LoadCallback {
        @Override
        public void onLoaded(long entriesRestored, long latestSequence) {
            if (!complete(new Loaded(entriesRestored, latestSequence))) {
                throw new AssertionError("load callback called twice");
            }
        }

        @Override
        public void onRejected(LedgerException reason) {
            if (!completeExceptionally(reason)) {
                throw new AssertionError("load callback called twice");
            }
        }

        Loaded await() {
            return Callbacks.await(this);
        }
    }

    static AppendFuture appendAsync(Ledger ledger, String contextId, String key, byte[] payload,
                                    Map<String, String> metadata) {
        AppendFuture f = new AppendFuture();
        ledger.append(contextId, key, payload, metadata, f);
        return f;
    }

    static Appended append(Ledger ledger, String contextId, String key, byte[] payload, Map<String, String> metadata) {
        return appendAsync(ledger, contextId, key, payload, metadata).await();
    }

    static Appended append(Ledger ledger, String contextId, String key, String payload) {
        return append(ledger, contextId, key, Bytes.utf8(payload), Map.of());
    }

    static LoadFuture loadAsync(Ledger ledger, String contextId, byte[] blob, boolean failIfExists) {
        LoadFuture f = new LoadFuture();
        ledger.load(contextId, blob, failIfExists, f);
        return f;
    }

    static Loaded load(Ledger ledger, String contextId, byte[] blob, boolean failIfExists) {
        return loadAsync(ledger, contextId, blob, failIfExists).await();
    }

    /** The future's value, waiting at most {@link #TIMEOUT_SECONDS}. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no callback within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The {@link LedgerException} the future was rejected with, waiting at most {@link #TIMEOUT_SECONDS}. */
    static LedgerException rejection(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "expected a rejection");
        return assertInstanceOf(LedgerException.class, e.getCause());
    }
}
