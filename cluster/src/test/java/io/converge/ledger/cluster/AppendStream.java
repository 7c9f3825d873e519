package io.converge.ledger.cluster;

import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stream of appends on one member, on a thread of its own, until {@link #finish()}: one at a time, each with a
 * payload no other attempt uses ({@code prefix-n/attempt}), retried after UNAVAILABLE (no
 * leader, a change of leader, or a commit timeout: then the entry may be stored all the
 * same, under its attempt's payload). Records what every acknowledged append got, and stops
 * on anything else: an answer other than UNAVAILABLE, or none within the commit timeout and
 * a margin, which is a failure {@link #close()} reports.
 */
final class AppendStream implements AutoCloseable {
    /** The longest an append may go unanswered: the commit timeout (5 s) and a margin for a loaded machine. */
    static final long ANSWER_SECONDS = 10;

    /** An acknowledged append: the payload its attempt carried and what it got. */
    record Acked(String payload, TestCluster.Ack ack) {
    }

    private final Ledger ledger;
    private final String context;
    private final String prefix;
    private final Thread thread;
    private final List<Acked> acked = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile int unavailable;

    AppendStream(Ledger ledger, String context, String prefix) {
        this.ledger = ledger;
        this.context = context;
        this.prefix = prefix;
        this.thread = new Thread(this::run, "append-stream-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        int attempt = 0;
        int n = 0;
        while (!stopping) {
            String payload = prefix + "-" + n + "/" + attempt;
            try {
                TestCluster.Ack ack = TestCluster.append(ledger, context, "k" + (n % 7), payload)
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
                synchronized (this) {
                    acked.add(new Acked(payload, ack));
                    notifyAll();
                }
                n++;
                attempt = 0;
            } catch (ExecutionException e) {
                if (!TestCluster.is(e, LedgerException.Reason.UNAVAILABLE)) {
                    failure = new AssertionError("append " + payload + " refused", e.getCause());
                    return;
                }
                unavailable++;
                attempt++;
                TestCluster.sleep(20);
            } catch (TimeoutException e) {
                failure = new AssertionError("append " + payload + " not answered within " + ANSWER_SECONDS + " s", e);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failure = e;
                return;
            }
        }
    }

    /** Waits, at most {@link TestCluster#WAIT_SECONDS}, until at least {@code n} appends were acknowledged. */
    synchronized void awaitAcked(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestCluster.WAIT_SECONDS);
        while (acked.size() < n) {
            long left = deadline - System.nanoTime();
            if (failure != null || left <= 0) {
                throw new AssertionError(prefix + ": " + acked.size() + " of " + n + " appends acknowledged within "
                    + TestCluster.WAIT_SECONDS + " s (" + unavailable + " answered UNAVAILABLE)", failure);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    synchronized int ackedCount() {
        return acked.size();
    }

    int unavailableCount() {
        return unavailable;
    }

    /** Stops after the append in flight is answered; fails if the stream failed. Idempotent. */
    @Override
    public void close() {
        finish();
    }

    /** Stops after the append in flight is answered, and fails if the stream failed; returns what was acknowledged. */
    List<Acked> finish() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS + 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (thread.isAlive()) {
            throw new AssertionError(prefix + ": the append stream did not stop");
        }
        if (failure != null) {
            throw new AssertionError(prefix + " failed", failure);
        }
        return acked();
    }

    synchronized List<Acked> acked() {
        return List.copyOf(acked);
    }

    /**
     * Checks {@code stored} (one member's entries of the stream's context) against every
     * append of the given streams that was acknowledged: each is there, at its sequence, with
     * the id, time and payload it was told; and no attempt's payload is stored twice.
     */
    static void assertHoldsEveryAcked(List<TestCluster.Stored> stored, List<Acked> acked) {
        Set<String> payloads = new HashSet<>();
        for (TestCluster.Stored s : stored) {
            if (!payloads.add(s.payload())) {
                throw new AssertionError("payload " + s.payload() + " is stored twice (again at " + s.sequence() + ")");
            }
        }
        Map<Long, Acked> bySequence = new HashMap<>();
        for (Acked a : acked) {
            long seq = a.ack().sequence();
            Acked before = bySequence.put(seq, a);
            if (before != null) {
                throw new AssertionError("sequence " + seq + " was acknowledged twice: to " + before + " and to " + a);
            }
            if (seq < 1 || seq > stored.size()) {
                throw new AssertionError(a.payload() + " was acknowledged at " + seq + " but only " + stored.size()
                    + " entries are stored");
            }
            TestCluster.Stored s = stored.get((int) seq - 1);
            if (!s.payload().equals(a.payload()) || !s.id().equals(a.ack().id())
                || s.appendedAtNs() != a.ack().appendedAtNs()) {
                throw new AssertionError("acknowledged " + a + " but stored " + s);
            }
        }
    }
}
