package io.converge.ledger.transport.logging;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where every logger of the process writes: the current {@link LogSettings} and one stream.
 * Thread-safe: the settings are swapped atomically, and each record reaches the stream in one
 * {@code print}, so records from different threads never interleave within a line.
 * Records at info and above pass a {@link LogRateLimit} per logger and level (debug and trace,
 * which an operator turns on to see everything, do not).
 *
 * <p>{@link #global()} is the process's: it writes to {@code System.err}, starts with the
 * settings in the environment (the defaults where they are bad) and is reconfigured by
 * {@link ServerLogging#configure}.
 */
public final class LogOutput {
    private static final LogOutput GLOBAL = new LogOutput(
        LogSettings.fromEnvironmentOrDefaults(System.getenv()), () -> System.err, Clock.systemUTC(),
        new LogRateLimit(LogRateLimit.DEFAULT_PER_WINDOW, LogRateLimit.DEFAULT_WINDOW_NANOS, System::nanoTime));

    private final Supplier<PrintStream> stream;
    private final Clock clock;
    private final LogRateLimit rateLimit;
    private volatile LogSettings settings;

    LogOutput(LogSettings settings, Supplier<PrintStream> stream, Clock clock, LogRateLimit rateLimit) {
        this.settings = Objects.requireNonNull(settings);
        this.stream = stream;
        this.clock = clock;
        this.rateLimit = rateLimit;
    }

    /** The process's output, on {@code System.err}. */
    public static LogOutput global() {
        return GLOBAL;
    }

    public LogSettings settings() {
        return settings;
    }

    void configure(LogSettings newSettings) {
        settings = Objects.requireNonNull(newSettings);
    }

    /** Whether a record of {@code level} would be written now. */
    public boolean isEnabled(LogLevel level) {
        return level != null && settings.level().permits(level);
    }

    /**
     * Writes the record, stamped now and with the calling thread's name, if its level is enabled
     * and the rate limit lets it through.
     */
    void write(LogLevel level, String logger, String message, Throwable thrown) {
        LogSettings s = settings;
        if (level == null || !s.level().permits(level)) {
            return;
        }
        String thread = Thread.currentThread().getName();
        String line = "";
        if (LogLevel.INFO.permits(level)) {
            long dropped = rateLimit.acquire(logger, level);
            if (dropped < 0) {
                return;
            }
            if (dropped > 0) {
                line = s.format().formatter().format(clock.instant(), LogLevel.WARN, logger, thread, "rate limit: "
                    + dropped + " " + level.name() + " records of this logger were not written ("
                    + rateLimit.rule() + ")", null);
            }
        }
        line += s.format().formatter().format(clock.instant(), level, logger, thread,
            message == null ? "" : message, thrown);
        PrintStream out = stream.get();
        out.print(line);
        out.flush();
    }
}
