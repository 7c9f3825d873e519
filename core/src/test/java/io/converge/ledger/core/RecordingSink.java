package io.converge.ledger.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test {@link WatchSink}: records what it gets, is ready while it has credits (like a
 * gRPC stream's flow-control window), and notes every breach of the sink contract (an
 * entry while not ready, concurrent calls, an entry after onClosed, onClosed twice).
 */
final class RecordingSink implements WatchSink {
    private final List<Entry> entries = new ArrayList<>();
    private final AtomicLong credits;
    private final AtomicBoolean inCall = new AtomicBoolean();
    private final AtomicInteger closedCalls = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<String> violations = new ArrayList<>();
    private final AtomicLong readinessChecks = new AtomicLong();

    private RecordingSink(long credits) {
        this.credits = new AtomicLong(credits);
    }

    /** Always ready. */
    static RecordingSink unlimited() {
        return new RecordingSink(Long.MAX_VALUE);
    }

    /** Ready for {@code credits} entries, then not until {@link #grant}. */
    static RecordingSink withCredits(long credits) {
        return new RecordingSink(credits);
    }

    /** Allows {@code n} more entries; the caller then calls {@link WatchSubscription#resume()}. */
    void grant(long n) {
        credits.addAndGet(n);
    }

    @Override
    public boolean isReady() {
        readinessChecks.incrementAndGet();
        return credits.get() > 0;
    }

    @Override
    public boolean offer(ContextLog log, long sequence) {
        onEntry(log.entry(sequence));
        return true;
    }

    void onEntry(Entry entry) {
        enter("onEntry");
        try {
            if (credits.getAndDecrement() <= 0) {
                violation("onEntry(" + entry.sequence() + ") while not ready");
            }
            if (closedCalls.get() > 0) {
                violation("onEntry(" + entry.sequence() + ") after onClosed");
            }
            synchronized (this) {
                entries.add(entry);
                notifyAll();
            }
        } finally {
            inCall.set(false);
        }
    }

    @Override
    public void onClosed() {
        enter("onClosed");
        try {
            if (closedCalls.incrementAndGet() > 1) {
                violation("onClosed called twice");
            }
            closed.countDown();
        } finally {
            inCall.set(false);
        }
    }

    private void enter(String method) {
        if (!inCall.compareAndSet(false, true)) {
            violation(method + " called concurrently with another call");
        }
    }

    private synchronized void violation(String what) {
        violations.add(what);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized int size() {
        return entries.size();
    }

    List<Long> sequences() {
        return entries().stream().map(Entry::sequence).toList();
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** How many times the ledger asked whether the sink is ready: a stalled watch's cost. */
    long readinessChecks() {
        return readinessChecks.get();
    }

    int closedCalls() {
        return closedCalls.get();
    }

    /** Waits, at most {@link Callbacks#TIMEOUT_SECONDS}, until at least {@code n} entries arrived. */
    synchronized List<Entry> awaitEntries(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Callbacks.TIMEOUT_SECONDS);
        while (entries.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the sink got " + entries.size() + " entries, not " + n + ", within "
                    + Callbacks.TIMEOUT_SECONDS + " s; violations: " + violations);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return List.copyOf(entries);
    }

    /** Waits, at most {@link Callbacks#TIMEOUT_SECONDS}, for onClosed. */
    void awaitClosed() {
        try {
            if (!closed.await(Callbacks.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("onClosed not called within " + Callbacks.TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
