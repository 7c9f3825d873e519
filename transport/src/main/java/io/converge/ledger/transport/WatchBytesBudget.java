package io.converge.ledger.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of watch messages handed to gRPC and not yet drained: grpc-java copies each
 * message into the transport's (direct) buffers per call, so this is what bounds the
 * memory that stalled watchers can pin. A sink asks for room before it hands a message
 * over; if the call is not ready after it (the transport holds the bytes, more than
 * gRPC's on-ready threshold), it charges the message, and releases the charge once its
 * call is ready again or the watch ends. A message sent while the call stays ready is
 * within the threshold gRPC already bounds per stream and is not charged: that is the
 * same as charging it and releasing it at once, without touching shared counters.
 *
 * <p>Two bounds: all watchers together hold at most {@code limitBytes}, and the watchers
 * of one client connection at most {@code perConnectionBytes}, so that the streams one
 * client leaves unread (they also stall that connection's shared HTTP/2 window) cannot
 * spend the budget of everyone else. A message over either bound is held back, and its
 * watcher waits (it is not failed): the action it registered runs after the next
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
     * Whether a message of {@code bytes} may be handed over now for {@code account}: true
     * when it fits both bounds (or nothing is charged against the bound it exceeds). When
     * false, {@code onFreed} runs once, on a releasing thread, after the next release.
     * Reads only, so a watcher that keeps up costs two volatile reads a message.
     *
     * @param onFreed must not block; the caller registers it at most once at a time
     */
    boolean hasRoom(Account account, long bytes, Runnable onFreed) {
        long releasedBefore = releases.get();
        long mine = account.charged.get();
        boolean connectionFull = mine != 0 && mine + bytes > perConnectionBytes;
        if (!connectionFull && globalFits(bytes)) {
            return true;
        }
        refusals.incrementAndGet();
        // Waits where room will come from: its own connection's releases when that is full
        // (a stalled connection's watchers are not woken by everyone else's), else any.
        ConcurrentLinkedQueue<Runnable> queue = connectionFull ? account.waiters : waiters;
        queue.add(onFreed);
        if (releases.get() != releasedBefore && (connectionFull || globalHeadroom())) {
            wake(queue); // a release came between the check and the registration: it may have missed this one
        }
        return false;
    }

    /**
     * Whether the whole has room enough to wake its waiters: an eighth of the limit free. A
     * release that frees less (a watcher that keeps up, beside stalled ones holding the rest)
     * wakes nobody, so that stalled watchers parked on a spent budget are not woken in
     * thousands for every small release.
     */
    private boolean globalHeadroom() {
        return limitBytes - inFlight.get() >= limitBytes / 8;
    }

    private boolean globalFits(long bytes) {
        long now = inFlight.get();
        return now == 0 || now + bytes <= limitBytes;
    }

    /**
     * Charges {@code bytes} handed to the transport that it has not taken yet (the call is
     * not ready). Unconditional: {@link #hasRoom} was asked before the message was handed
     * over, so the bounds are exceeded by at most the messages of the watch threads that
     * passed that check at once.
     */
    void charge(Account account, long bytes) {
        account.charged.addAndGet(bytes);
        peak.accumulateAndGet(inFlight.addAndGet(bytes), Math::max);
    }

    /** Gives back {@code bytes} charged to {@code account} earlier, and wakes the watchers waiting for room. */
    void release(Account account, long bytes) {
        if (bytes == 0) {
            return;
        }
        account.charged.addAndGet(-bytes);
        inFlight.addAndGet(-bytes);
        releases.incrementAndGet();
        wake(account.waiters);
        if (globalHeadroom()) {
            wake(waiters);
        }
    }

    private static void wake(ConcurrentLinkedQueue<Runnable> queue) {
        for (Runnable r; (r = queue.poll()) != null; ) {
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
        /** Watchers of this connection waiting for its own share to free. */
        private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
        private int streams; // guarded by the map's compute

        private Account(Object key) {
            this.key = key;
        }
    }
}
