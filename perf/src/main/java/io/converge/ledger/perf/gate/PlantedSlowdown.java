package io.converge.ledger.perf.gate;

import java.util.Locale;

/**
 * A slowdown planted into the gate's subjects, to prove that each check fails on a regression
 * ({@code gate --measure --plant core=NS,unary=NS,stream=NS}): nanoseconds of busy spin added
 * to the ledger's side only, never to the limit's. Zero is no spin, and costs nothing. Immutable.
 *
 * @param coreNanos   spin per append into the core ledger ({@link CoreRateProbe})
 * @param unaryNanos  spin per unary Append call on the forked ledger server ({@link PlantedSpinInterceptor})
 * @param streamNanos spin per incoming AppendStream message on the forked ledger server
 */
record PlantedSlowdown(long coreNanos, long unaryNanos, long streamNanos) {
    static final PlantedSlowdown NONE = new PlantedSlowdown(0, 0, 0);
    /** The largest spin accepted: anything longer is not a slowdown but a stall. */
    static final long MAX_NANOS = 10_000_000;

    PlantedSlowdown {
        for (long n : new long[] {coreNanos, unaryNanos, streamNanos}) {
            if (n < 0 || n > MAX_NANOS) {
                throw new IllegalArgumentException("a planted spin must be from 0 to " + MAX_NANOS + " ns, not " + n);
            }
        }
    }

    /**
     * Reads {@code core=NS,unary=NS,stream=NS}, any non-empty subset in any order; a check not
     * named gets no spin.
     *
     * @throws IllegalArgumentException naming the part of {@code spec} that is wrong
     */
    static PlantedSlowdown parse(String spec) {
        long[] nanos = {-1, -1, -1};
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            int check = eq < 0 ? -1 : switch (part.substring(0, eq).trim()) {
                case "core" -> 0;
                case "unary" -> 1;
                case "stream" -> 2;
                default -> -1;
            };
            if (check < 0) {
                throw new IllegalArgumentException("--plant " + spec + ": '" + part
                    + "' is not core=NS, unary=NS or stream=NS (NS: nanoseconds of busy spin)");
            }
            if (nanos[check] >= 0) {
                throw new IllegalArgumentException("--plant " + spec + ": " + part.substring(0, eq).trim()
                    + " is named twice");
            }
            try {
                nanos[check] = Long.parseLong(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--plant " + spec + ": '" + part
                    + "' does not give a whole number of nanoseconds");
            }
            if (nanos[check] < 0 || nanos[check] > MAX_NANOS) {
                throw new IllegalArgumentException("--plant " + spec + ": '" + part + "' must be from 0 to "
                    + MAX_NANOS + " ns");
            }
        }
        return new PlantedSlowdown(Math.max(0, nanos[0]), Math.max(0, nanos[1]), Math.max(0, nanos[2]));
    }

    boolean any() {
        return coreNanos > 0 || unaryNanos > 0 || streamNanos > 0;
    }

    /** What is planted, for the gate's output. */
    String describe() {
        return String.format(Locale.ROOT, "PLANTED SLOWDOWN (busy spin on the ledger's side only): core %,d ns per "
            + "append, unary %,d ns per Append call, stream %,d ns per AppendStream message", coreNanos, unaryNanos,
            streamNanos);
    }

    /**
     * Busy-spins on the calling thread for at least {@code nanos} by {@link System#nanoTime()},
     * without sleeping or yielding the core: the cost of a slower path, not of a wait.
     */
    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
