package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendResponse;
import io.grpc.Status;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of every Append: OK replies (all of them, and those of the measured phase),
 * failures by status code, and replies that came back OK but wrong. Also the highest
 * sequence each context reached, the target the watchers must catch up to. Every method
 * is thread-safe; the counters are sums of adders, read once the calls are done.
 */
final class AppendOutcomes {
    /** Replies with status OK whose entry does not echo the request: a bug in the server. */
    static final String BAD_REPLY = "OK_BUT_BAD_REPLY";

    private final LongAdder ok = new LongAdder();
    private final LongAdder measuredOk = new LongAdder();
    private final LongAdder badReplies = new LongAdder();
    private final AtomicLongArray failuresByCode = new AtomicLongArray(Status.Code.values().length);
    private final AtomicLongArray latestSequence;

    AppendOutcomes(int contexts) {
        this.latestSequence = new AtomicLongArray(contexts);
    }

    /**
     * Checks the reply of an Append to context {@code context} with a payload of
     * {@code payloadBytes} that completed OK; {@code reply} is null when the call completed
     * without one, which counts as a failure. Returns whether it is right (and was counted as OK).
     */
    boolean replied(int context, AppendResponse reply, int payloadBytes, boolean measured) {
        if (reply == null) {
            failed(new IllegalStateException("completed without a reply"));
            return false;
        }
        long sequence = reply.getEntry().getSequence();
        if (sequence <= 0 || reply.getEntry().getPayload().size() != payloadBytes) {
            badReplies.increment();
            return false;
        }
        ok.increment();
        if (measured) {
            measuredOk.increment();
        }
        long seen = latestSequence.get(context);
        while (sequence > seen && !latestSequence.compareAndSet(context, seen, sequence)) {
            seen = latestSequence.get(context);
        }
        return true;
    }

    void failed(Throwable t) {
        failuresByCode.incrementAndGet(Status.fromThrowable(t).getCode().ordinal());
    }

    /** OK replies over the whole run, warmup included: what the server stored for us. */
    long ok() {
        return ok.sum();
    }

    /** OK replies to calls meant to start in the measured phase. */
    long measuredOk() {
        return measuredOk.sum();
    }

    long latestSequence(int context) {
        return latestSequence.get(context);
    }

    /** Failed calls by status code name, and {@link #BAD_REPLY}; only non-zero counts, in code order. */
    Map<String, Long> errors() {
        Map<String, Long> errors = new LinkedHashMap<>();
        for (Status.Code code : Status.Code.values()) {
            long n = failuresByCode.get(code.ordinal());
            if (n > 0) {
                errors.put(code.name(), n);
            }
        }
        if (badReplies.sum() > 0) {
            errors.put(BAD_REPLY, badReplies.sum());
        }
        return errors;
    }
}
