package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendResponse;
import io.grpc.Status;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of every Append: OK replies (all of them, and those of the measured phase),
 * failures by status code, and replies that came back OK but wrong. In a batched run an
 * Append is an entry: OK entries are counted here, and OK batches beside them; a failed
 * call (an AppendBatch, or a whole AppendStream) counts once, a wrong batch response once. Also the highest
 * sequence each context reached, the target the watchers must catch up to. Every method
 * is thread-safe; the counters are sums of adders, read once the calls are done.
 */
final class AppendOutcomes {
    /** Replies with status OK whose entry does not echo the request: a bug in the server. */
    static final String BAD_REPLY = "OK_BUT_BAD_REPLY";

    private final LongAdder ok = new LongAdder();
    private final LongAdder measuredOk = new LongAdder();
    private final LongAdder okBatches = new LongAdder();
    private final LongAdder measuredOkBatches = new LongAdder();
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

    /**
     * Checks the acks of a batch of {@code batches.entries()} entries whose first went to
     * context {@code firstContext}: one ack per entry, each sequence at least 1 and above
     * the one before it to the same context, within the batch and, when
     * {@code lastSequence} (indexed by context, updated here) is given, across the caller's
     * earlier batches. Returns whether it is right (and was counted as OK). Raises each
     * context's latest sequence, the target the watchers must catch up to.
     */
    boolean batchReplied(BatchAcks acks, AppendBatches batches, int firstContext, long[] lastSequence,
        boolean measured) {
        int entries = batches.entries();
        int contexts = batches.contexts();
        boolean right = acks.count() == entries;
        int context = firstContext;
        for (int j = 0; right && j < entries; j++) {
            long sequence = acks.sequence(j);
            if (lastSequence != null) {
                right = sequence > lastSequence[context];
                lastSequence[context] = sequence;
                context = context + 1 == contexts ? 0 : context + 1;
            } else {
                right = sequence > (j >= contexts ? acks.sequence(j - contexts) : 0);
            }
        }
        if (!right) {
            badReplies.increment();
            return false;
        }
        context = firstContext;
        for (int j = 0; j < entries; j++) {
            long sequence = acks.sequence(j);
            long seen = latestSequence.get(context);
            while (sequence > seen && !latestSequence.compareAndSet(context, seen, sequence)) {
                seen = latestSequence.get(context);
            }
            context = context + 1 == contexts ? 0 : context + 1;
        }
        ok.add(entries);
        okBatches.increment();
        if (measured) {
            measuredOk.add(entries);
            measuredOkBatches.increment();
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

    /** OK batches over the whole run, warmup included (0 in a unary run). */
    long okBatches() {
        return okBatches.sum();
    }

    /** OK batches meant to start in the measured phase (0 in a unary run). */
    long measuredOkBatches() {
        return measuredOkBatches.sum();
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
