package io.converge.ledger.perf.gate;

import io.converge.ledger.transport.LedgerServerMain;

/**
 * The server main with a planted slowdown, for {@code gate --measure --plant}: runs
 * {@link LedgerServerMain} as it is, configured from the environment, with a
 * {@link PlantedSpinInterceptor} added to its Netty builder. Arguments: the spin per unary
 * Append call and per incoming AppendStream message, in nanoseconds. Only the gate starts it,
 * as a child JVM ({@link ForkedServer}).
 */
public final class PlantedLedgerServerMain {
    private PlantedLedgerServerMain() {
    }

    public static void main(String[] args) throws Exception {
        PlantedSlowdown plant;
        try {
            if (args.length != 2) {
                throw new IllegalArgumentException("expected 2 arguments, got " + args.length);
            }
            plant = new PlantedSlowdown(0, Long.parseLong(args[0]), Long.parseLong(args[1]));
        } catch (IllegalArgumentException e) {
            System.err.println("usage: PlantedLedgerServerMain APPEND_SPIN_NS APPEND_STREAM_SPIN_NS: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.err.println("planted-ledger-server: busy spin of " + plant.unaryNanos() + " ns per Append call, "
            + plant.streamNanos() + " ns per AppendStream message");
        PlantedSpinInterceptor spin = new PlantedSpinInterceptor(plant.unaryNanos(), plant.streamNanos());
        LedgerServerMain.serve(System.getenv(), builder -> builder.intercept(spin));
    }
}
