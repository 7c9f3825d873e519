package io.converge.ledger.perf.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU time a process on this machine has used (user plus system), all its threads
 * together and by thread group, read from Linux's {@code /proc/PID/stat} and
 * {@code /proc/PID/task/TID/stat}. The load generator samples the server's
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
     * A process's CPU time so far ({@link #read}), or what it used between two readings
     * ({@link #between}), in nanoseconds.
     *
     * @param totalNanos all its threads together, those that ended included
     * @param groups     by thread group ({@link #byThreadGroup}); largest first in a difference
     */
    record Reading(long totalNanos, Map<String, Long> groups) {

        /** What was used from {@code start} to {@code end}; null when either is. */
        static Reading between(Reading start, Reading end) {
            if (start == null || end == null) {
                return null;
            }
            return new Reading(end.totalNanos - start.totalNanos, used(start.groups, end.groups));
        }
    }

    /** Process {@code pid}'s CPU time now; null when {@code pid} is 0 or /proc does not have it. */
    static Reading read(long pid) {
        if (pid <= 0) {
            return null;
        }
        long total = cpuNanos(pid);
        return total < 0 ? null : new Reading(total, byThreadGroup(pid));
    }

    /**
     * The CPU time each group of process {@code pid}'s live threads has used so far, in
     * nanoseconds, by thread name with its trailing numbering left out ({@code ledger-grpc-loop-1-2}
     * and {@code ledger-grpc-loop-1-1} are one group). Linux keeps the first 15 characters of
     * a thread's name. A thread that ended is missing, so a group's difference between two
     * readings is a lower bound when threads come and go.
     *
     * @return the groups; empty when there is no such process or no /proc
     */
    static Map<String, Long> byThreadGroup(long pid) {
        Map<String, Long> groups = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                groups.merge(name.replaceAll("([-#_ ]?[0-9]+)+$", ""), nanos(stat), Long::sum);
            }
        } catch (IOException | SecurityException e) {
            return Map.of();
        }
        return groups;
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
        return nanos(stat);
    }

    /** utime + stime of a {@code stat} line, in ns; -1 when it has too few fields. */
    private static long nanos(String stat) {
        // The command (field 2) is in parentheses and may hold spaces or parentheses itself.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (fields.length <= UTIME_AFTER_COMMAND + 1) {
            return -1;
        }
        long ticks = Long.parseLong(fields[UTIME_AFTER_COMMAND]) + Long.parseLong(fields[UTIME_AFTER_COMMAND + 1]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** What each group used between two {@link #byThreadGroup} readings, largest first (groups that used none left out). */
    static Map<String, Long> used(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> used = new LinkedHashMap<>();
        after.entrySet().stream()
            .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
            .filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> used.put(e.getKey(), e.getValue()));
        return used;
    }
}
