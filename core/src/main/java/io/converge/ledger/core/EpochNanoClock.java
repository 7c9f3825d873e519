package io.converge.ledger.core;

import java.time.Instant;
import java.util.function.LongSupplier;

/** The wall clock as Unix epoch nanoseconds (at the platform's precision). Thread-safe. */
public final class EpochNanoClock implements LongSupplier {
    public static final EpochNanoClock SYSTEM = new EpochNanoClock();

    private EpochNanoClock() {
    }

    @Override
    public long getAsLong() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
