package io.converge.ledger.core;

import java.nio.charset.StandardCharsets;
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
    /** Bytes of {@link #format}'s form, which is ASCII (so also its UTF-8 length). */
    public static final int TEXT_BYTES = 36;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final long instanceBits;
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

    /**
     * Writes {@link #format}'s form of the id as ASCII into {@code into} at {@code at}: the
     * {@value #TEXT_BYTES} bytes a protobuf string field carries, without building the String.
     * Thread-safe.
     */
    public static void writeText(long hi, long lo, byte[] into, int at) {
        hex(hi >>> 32, 8, into, at);
        into[at + 8] = '-';
        hex(hi >>> 16, 4, into, at + 9);
        into[at + 13] = '-';
        hex(hi, 4, into, at + 14);
        into[at + 18] = '-';
        hex(lo >>> 48, 4, into, at + 19);
        into[at + 23] = '-';
        hex(lo, 12, into, at + 24);
    }

    /** The low {@code digits} hex digits of {@code bits}, most significant first. */
    private static void hex(long bits, int digits, byte[] into, int at) {
        for (int i = digits - 1; i >= 0; i--) {
            into[at + digits - 1 - i] = HEX[(int) (bits >>> (i * 4)) & 0xF];
        }
    }
}
