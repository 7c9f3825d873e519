package io.converge.ledger.transport.logging;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link LogOutput} into memory, on a fixed wall clock and a nano clock the test moves. */
final class CapturedLog {
    final AtomicLong nanos = new AtomicLong();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    final LogOutput output;

    CapturedLog(LogSettings settings, int perWindow, long windowNanos) {
        output = new LogOutput(settings, () -> stream,
            Clock.fixed(Instant.parse("2026-11-30T09:03:43.123Z"), ZoneOffset.UTC),
            new LogRateLimit(perWindow, windowNanos, nanos::get));
    }

    CapturedLog(LogSettings settings) {
        this(settings, LogRateLimit.DEFAULT_PER_WINDOW, LogRateLimit.DEFAULT_WINDOW_NANOS);
    }

    String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    List<String> lines() {
        String t = text();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\n"));
    }
}
