package io.converge.ledger.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of watch messages handed to gRPC and not yet drained: grpc-java copies each
 * message into the transport's (direct) buffers per call, so this is what bounds the
 * memory that stalled watchers can pin. A sink charges a message's size before it hands
 * the message over, and releases the charge once its call is ready again (the transport
 * took the bytes) or the watch ends.
 *
 * <p>Two bounds: all watchers together hold at most {@code limitBytes}, and the watchers
 * of one client connection at most {@code perConnectionBytes}, so that the streams one
 * client leaves unread (they also stall that connection's shared HTTP/2 window) cannot
 * spend the budget of everyone else. A charge over either bound is refused, and the
 * refused watcher waits (it is not failed): the action it registered runs after the next
 * release, and it tries again. A message larger than a bound goes through when nothing
 * else is charged against that bound. Thread-safe.
 */
final class WatchBytesBudget {
    private final long limitBytes;
    private final long perConnectionBytes;
    private final AtomicLong inFlight = new AtomicLong();
    private final ConcurrentHashMap<Object, Account> accounts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong releases = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    WatchBytesBudget(long limitBytes, long perConnectionBytes) {
        if (limitBytes < 1 || perConnectionBytes < 1) {
            throw new IllegalArgumentException("watch bytes budgets must be at least 1 byte, not " + limitBytes + " and "
                + perConnectionBytes);
        }
        this.limitBytes = limitBytes;
        this.perConnectionBytes = perConnectionBytes;
    }

    /** 256 MiB in all (or a quarter of the heap, the JVM's default direct-memory limit, when less); 1/8 per connection. */
    static WatchBytesBudget defaults() {
        long limit = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);
        return new WatchBytesBudget(limit, limit / 8);
    }

    /** The account of the client connection {@code connection} (any key identifying it), for one more stream. */
    Account open(Object connection) {
        return accounts.compute(connection, (k, a) -> {
            Account account = a == null ? new Account(k) : a;
            account.streams++;
            return account;
        });
    }

    /** One stream of the connection ended; its charges must have been released. */
    void close(Account account) {
        accounts.computeIfPresent(account.key, (k, a) -> --a.streams == 0 ? null : a);
    }

    /**
     * Charges {@code bytes} to {@code account} and the whole, or refuses and runs
     * {@code onFreed} (once, on a releasing thread) after the next release.
     *
     * @param onFreed must not block; the caller registers it at most once at a time
     */
    boolean tryCharge(Account account, long bytes, Runnable onFreed) {
        while (true) {
            long releasedBefore = releases.get();
            long now = inFlight.get();
            long mine = account.charged.get();
            if ((now != 0 && now + bytes > limitBytes) || (mine != 0 && mine + bytes > perConnectionBytes)) {
                refusals.incrementAndGet();
                waiters.add(onFreed);
                if (releases.get() != releasedBefore) {
                    wake(); // a release came between the check and the registration: it may have missed this one
                }
                return false;
            }
            if (inFlight.compareAndSet(now, now + bytes)) {
                account.charged.addAndGet(bytes);
                peak.accumulateAndGet(now + bytes, Math::max);
                return true;
            }
        }
    }

    /** Gives back {@code bytes} charged to {@code account} earlier, and wakes the watchers waiting for room. */
    void release(Account account, long bytes) {
        if (bytes == 0) {
            return;
        }
        account.charged.addAndGet(-bytes);
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

    long perConnectionBytes() {
        return perConnectionBytes;
    }

    /** Bytes charged now. */
    long inFlight() {
        return inFlight.get();
    }

    /** The most bytes charged at once since start. */
    long peak() {
        return peak.get();
    }

    /** Charges refused since start (a watcher waited). */
    long refusals() {
        return refusals.get();
    }

    /** Connections with a watch open. */
    int connections() {
        return accounts.size();
    }

    /** What one client connection's watchers have charged. */
    static final class Account {
        private final Object key;
        private final AtomicLong charged = new AtomicLong();
        private int streams; // guarded by the map's compute

        private Account(Object key) {
            this.key = key;
        }
    }
}
