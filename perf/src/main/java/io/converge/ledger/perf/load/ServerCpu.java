package io.converge.ledger.perf.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a process on this machine has used, all its threads together (user plus
 * system), read from Linux's {@code /proc/PID/stat}. The load generator samples the server's
 * at the start and end of the measured phase when it is given the server's pid, so that a run
 * reports the server's CPU per entry beside its rate. The resolution is the kernel's clock
 * tick ({@value #TICKS_PER_SECOND} per second on Linux x86-64 and arm64): 10 ms, about 0.1 %
 * of a 10 s window on one core. Stateless and thread-safe.
 */
final class ServerCpu {
    /** {@code USER_HZ}: the unit of /proc's CPU times. */
    static final long TICKS_PER_SECOND = 100;
    /** utime and stime, counted from the field after the command's closing parenthesis (field 3, the state). */
    private static final int UTIME_AFTER_COMMAND = 11;

    private ServerCpu() {
    }

    /**
     * The CPU time process {@code pid} has used so far, in nanoseconds.
     *
     * @return the time, or -1 when there is no such process or no /proc to read it from
     */
    static long cpuNanos(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            return -1;
        }
        // The command (field 2) is in parentheses and may hold spaces or parentheses itself.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (fields.length <= UTIME_AFTER_COMMAND + 1) {
            return -1;
        }
        long ticks = Long.parseLong(fields[UTIME_AFTER_COMMAND]) + Long.parseLong(fields[UTIME_AFTER_COMMAND + 1]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
