package io.converge.ledger.transport;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of watch messages handed to gRPC and not yet drained, over all watchers:
 * grpc-java copies each message into the transport's (direct) buffers per call, so this
 * is what bounds the memory stalled watchers can pin. A sink charges a message's size
 * before it hands the message over and releases the charge once its call is ready again
 * (its transport took the bytes) or the watch ends.
 *
 * <p>A charge that would take the total over the limit is refused, and the refused
 * watcher waits (it is not failed): the action it registered runs once bytes are
 * released, and it tries again. A message larger than the whole limit goes through when
 * nothing else is in flight. Thread-safe.
 */
final class WatchBytesBudget {
    private final long limitBytes;
    private final AtomicLong inFlight = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong releases = new AtomicLong();
    private volatile long peak;

    WatchBytesBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("the watch bytes budget must be at least 1 byte, not " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** 256 MiB, or a quarter of the heap (the JVM's default direct-memory limit) when that is less. */
    static long defaultLimitBytes() {
        return Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Charges {@code bytes}, or refuses and runs {@code onFreed} (once, on the releasing
     * thread) after the next release.
     *
     * @param onFreed must not block; the caller ensures it is registered at most once at a time
     */
    boolean tryCharge(long bytes, Runnable onFreed) {
        while (true) {
            long releasedBefore = releases.get();
            long now = inFlight.get();
            if (now != 0 && now + bytes > limitBytes) {
                refusals.incrementAndGet();
                waiters.add(onFreed);
                if (releases.get() != releasedBefore) {
                    wake(); // a release came between the check and the registration: it may have missed this one
                }
                return false;
            }
            if (inFlight.compareAndSet(now, now + bytes)) {
                if (now + bytes > peak) {
                    peak = now + bytes;
                }
                return true;
            }
        }
    }

    /** Gives back {@code bytes} charged earlier, and wakes the watchers waiting for room. */
    void release(long bytes) {
        if (bytes == 0) {
            return;
        }
        inFlight.addAndGet(-bytes);
        releases.incrementAndGet();
        wake();
    }

    private void wake() {
        for (Runnable r; (r = waiters.poll()) != null; ) {
            r.run();
        }
    }

    long limitBytes() {
        return limitBytes;
    }

    /** Bytes charged now. */
    long inFlight() {
        return inFlight.get();
    }

    /** The most bytes ever charged at once (approximate under races: never below the truth by more than one message). */
    long peak() {
        return peak;
    }

    /** Charges refused since start. */
    long refusals() {
        return refusals.get();
    }
}
