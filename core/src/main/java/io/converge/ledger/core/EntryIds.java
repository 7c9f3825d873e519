package io.converge.ledger.core;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Entry identifiers: 128 bits, rendered in the canonical 8-4-4-4-12 hex form.
 *
 * <p>The high 64 bits are drawn from a {@link SecureRandom} once per ledger instance,
 * the low 64 bits count up from 0; so ids are unique within an instance by
 * construction and across restarts with the probability of two random 64-bit draws
 * differing. Not thread-safe: {@link #next()} has one caller, the sequencer.
 */
public final class EntryIds {
    private long instanceBits;
    private long counter;

    EntryIds() {
        this(new SecureRandom().nextLong());
    }

    EntryIds(long instanceBits) {
        this.instanceBits = instanceBits;
    }

    /** The high 64 bits shared by every id this instance issues. */
    long instanceBits() {
        return instanceBits;
    }

    /**
     * From now on, ids carry {@code bits}: a clustered ledger learns its cluster's from the log
     * before it issues any id.
     */
    void rebase(long bits) {
        instanceBits = bits;
    }

    /** The low 64 bits of a fresh id; the high bits are {@link #instanceBits()}. */
    long next() {
        return counter++;
    }

    /** The next {@link #next()} returns {@code lo}: a clustered ledger's ids come from log positions. */
    void continueAt(long lo) {
        counter = lo;
    }

    /** The id's string form: 32 lowercase hex digits in the 8-4-4-4-12 layout. Thread-safe. */
    public static String format(long hi, long lo) {
        return new UUID(hi, lo).toString();
    }
}
