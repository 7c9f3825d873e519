package io.converge.ledger.transport;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of Snapshot and Load blobs, chunks and staging the server holds at once, over
 * all calls ({@link ServerLimits#transferBudgetBytes()}). Each call takes a {@link Hold},
 * reserves what it is about to hold, and releases all of it once when it ends, however it
 * ends. Thread-safe.
 */
final class TransferBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    TransferBudget(long limit) {
        this.limit = limit;
    }

    /** Bytes held now, over all calls. */
    long held() {
        return held.get();
    }

    long limit() {
        return limit;
    }

    Hold open() {
        return new Hold();
    }

    private boolean tryReserve(long bytes) {
        long now;
        do {
            now = held.get();
            if (bytes > limit - now) {
                return false;
            }
        } while (!held.compareAndSet(now, now + bytes));
        return true;
    }

    /** One call's share of the budget. Thread-safe; after {@link #release()} it holds and takes nothing. */
    final class Hold {
        private long bytes;
        private boolean released;

        private Hold() {
        }

        /**
         * Reserves {@code n} more bytes for this call.
         *
         * @throws StatusRuntimeException RESOURCE_EXHAUSTED when the budget has no room (nothing is reserved),
         *                                or CANCELLED when the call already ended
         */
        synchronized void reserve(long n, String what) {
            if (released) {
                throw Status.CANCELLED.withDescription("the call has ended").asRuntimeException();
            }
            if (!tryReserve(n)) {
                throw Status.RESOURCE_EXHAUSTED.withDescription(what + " needs " + n + " bytes, but the server holds "
                    + held.get() + " bytes of snapshot and load transfers, against a budget of " + limit
                    + " bytes (LEDGER_TRANSFER_BUDGET_BYTES): retry later").asRuntimeException();
            }
            bytes += n;
        }

        /** Bytes this call holds. */
        synchronized long bytes() {
            return bytes;
        }

        /** Gives back everything this call holds; idempotent. */
        synchronized void release() {
            if (!released) {
                released = true;
                held.addAndGet(-bytes);
                bytes = 0;
            }
        }
    }
}
