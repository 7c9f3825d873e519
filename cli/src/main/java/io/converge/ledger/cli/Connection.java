package io.converge.ledger.cli;

import io.converge.ledger.cli.client.ChannelSpec;
import io.grpc.ManagedChannel;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The options every command takes to reach the server: target, TLS, token and timeout. */
final class Connection {
    @Option(names = "--target", paramLabel = "HOST:PORT",
        defaultValue = "${env:LEDGER_TARGET:-" + ChannelSpec.DEFAULT_TARGET + "}",
        description = "the server (default: $LEDGER_TARGET, else ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--tls", description = "connect over TLS, trusting the JDK's authorities unless --ca is given")
    boolean tls;

    @Option(names = "--ca", paramLabel = "PEM", description = "trust the authorities in this PEM file (implies --tls)")
    Path ca;

    @Option(names = "--cert", paramLabel = "PEM", description = "the client certificate for mutual TLS (with --tls-key)")
    Path cert;

    /** Not {@code --key}: that is the entry key of append, get and watch. */
    @Option(names = "--tls-key", paramLabel = "PEM", description = "the client's PKCS#8 private key for mutual TLS")
    Path key;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:LEDGER_TOKEN}",
        description = "send \"authorization: Bearer TOKEN\" (default: $LEDGER_TOKEN; prefer it, "
            + "a command line is visible to other users)")
    String token;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "give up after this long: 500ms, 10s, 2m (default: 30s; snapshot and load: 10m; watch: never)")
    Duration timeout;

    ChannelSpec spec() {
        if ((cert == null) != (key == null)) {
            throw new CliFailure(ExitCodes.USAGE, "--cert and --tls-key go together");
        }
        return new ChannelSpec(target, tls, ca, cert, key, token);
    }

    ManagedChannel open() {
        try {
            return spec().open();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.FILE, "cannot read a TLS file: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** The deadline of a call, in nanoseconds: {@code --timeout}, else {@code fallback}; 0 for none. */
    long deadlineNanos(Duration fallback) {
        Duration d = timeout != null ? timeout : fallback;
        return d == null ? 0 : d.toNanos();
    }

    static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads 500ms, 10s, 2m, 1h, or a plain number of seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            try {
                Duration d;
                if (v.endsWith("ms")) {
                    d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                } else if (v.endsWith("h")) {
                    d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
                } else {
                    d = Duration.ofSeconds(Long.parseLong(v));
                }
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException();
                }
                return d;
            } catch (RuntimeException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                    + "' is not a duration such as 500ms, 10s, 2m");
            }
        }
    }
}
