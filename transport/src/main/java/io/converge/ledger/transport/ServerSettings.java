package io.converge.ledger.transport;

import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.StorageConfig;
import io.converge.ledger.transport.security.ServerSecurity;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the server is configured with. Immutable. {@link #fromEnvironment} reads the
 * variables listed in README.md; every one is optional.
 *
 * @param port                   TCP port to listen on ({@code GRPC_PORT}, default 50051)
 * @param maxInboundMessageBytes largest request the server reads, in bytes
 *                               ({@code LEDGER_MAX_MESSAGE_BYTES}, default 64 MiB: a 4 MiB
 *                               payload fits, and so do large snapshot blobs for Load)
 * @param getResponseCapBytes    largest serialized Get answer, in bytes
 *                               ({@code LEDGER_GET_RESPONSE_CAP_BYTES}, default 4 MiB)
 * @param ledger                 the engine's configuration
 * @param metricsPort            TCP port of the HTTP metrics endpoint ({@code LEDGER_METRICS_PORT}):
 *                               {@link #METRICS_OFF} (the default, also when the variable is empty)
 *                               for none, 0 for one the OS chooses, else that port
 * @param limits                 the bounds the edge keeps for every client ({@link ServerLimits})
 * @param security               TLS and token authentication ({@link ServerSecurity}; default: neither)
 */
public record ServerSettings(int port, int maxInboundMessageBytes, int getResponseCapBytes, LedgerConfig ledger,
                             int metricsPort, ServerLimits limits, ServerSecurity security) {
    public static final int DEFAULT_PORT = 50051;
    public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;
    /** {@link #metricsPort()} when there is no metrics endpoint. */
    public static final int METRICS_OFF = -1;

    public ServerSettings {
        if (metricsPort < METRICS_OFF || metricsPort > 65535) {
            throw new IllegalArgumentException("metricsPort must be -1 (off) or from 0 to 65535, not " + metricsPort);
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        if (security == null) {
            throw new IllegalArgumentException("security must not be null");
        }
    }

    public static ServerSettings defaults() {
        return new ServerSettings(DEFAULT_PORT, DEFAULT_MAX_INBOUND_MESSAGE_BYTES, GetPager.DEFAULT_RESPONSE_CAP_BYTES,
            LedgerConfig.defaults(), METRICS_OFF, ServerLimits.defaults(),
            ServerSecurity.none());
    }

    /** Where the server keeps its records unless {@code LEDGER_DATA_DIR} says otherwise. */
    public static final String DEFAULT_DATA_DIR = "ledger-data";

    /**
     * Reads the settings from environment variables. Unlike {@link #defaults()} (records in
     * memory, for embedding and tests), the server's defaults keep records in files under
     * {@value #DEFAULT_DATA_DIR} in the working directory.
     *
     * @throws IllegalArgumentException naming the variable that holds a bad value
     */
    public static ServerSettings fromEnvironment(Map<String, String> env) {
        ServerSettings d = defaults();
        LedgerConfig ledger = d.ledger()
            .withStorage(storage(env))
            .withRingSize((int) number(env, "LEDGER_RING_SIZE", d.ledger().ringSize(), 1 << 30))
            .withMemoryBudgetBytes(number(env, "LEDGER_MEMORY_BUDGET_BYTES", d.ledger().memoryBudgetBytes(),
                Long.MAX_VALUE))
            .withWatchThreads((int) number(env, "LEDGER_WATCH_THREADS", d.ledger().watchThreads(), 1024))
            .withRingFullWaitNanos(TimeUnit.MILLISECONDS.toNanos(number(env, "LEDGER_RING_FULL_WAIT_MS",
                TimeUnit.NANOSECONDS.toMillis(d.ledger().ringFullWaitNanos()), TimeUnit.DAYS.toMillis(1))))
            .withLoadMaxClockSkewNanos(TimeUnit.MILLISECONDS.toNanos(number(env, "LEDGER_LOAD_MAX_CLOCK_SKEW_MS",
                TimeUnit.NANOSECONDS.toMillis(d.ledger().loadMaxClockSkewNanos()), TimeUnit.DAYS.toMillis(365))));
        String wait = env.get("LEDGER_WAIT_STRATEGY");
        if (wait != null) {
            try {
                ledger = ledger.withWaitStrategy(LedgerConfig.Wait.parse(wait));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("LEDGER_WAIT_STRATEGY=" + wait
                    + " is not one of parking, phased, blocking, sleeping, yielding, busy-spin");
            }
        }
        int port = (int) number(env, "GRPC_PORT", d.port(), 65535);
        int metricsPort = (int) number(env, "LEDGER_METRICS_PORT", d.metricsPort(), 65535);
        if (metricsPort > 0 && metricsPort == port) {
            throw new IllegalArgumentException("LEDGER_METRICS_PORT=" + env.get("LEDGER_METRICS_PORT")
                + " is the gRPC port: choose another");
        }
        return new ServerSettings(
            port,
            (int) number(env, "LEDGER_MAX_MESSAGE_BYTES", d.maxInboundMessageBytes(), Integer.MAX_VALUE),
            (int) number(env, "LEDGER_GET_RESPONSE_CAP_BYTES", d.getResponseCapBytes(), Integer.MAX_VALUE),
            ledger,
            metricsPort,
            ServerLimits.fromEnvironment(env),
            ServerSecurity.fromEnvironment(env));
    }

    /** Whether the server serves metrics over HTTP. */
    public boolean metricsOn() {
        return metricsPort != METRICS_OFF;
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(newPort, maxInboundMessageBytes, getResponseCapBytes, ledger, metricsPort, limits,
            security);
    }

    public ServerSettings withMaxInboundMessageBytes(int bytes) {
        return new ServerSettings(port, bytes, getResponseCapBytes, ledger, metricsPort, limits, security);
    }

    public ServerSettings withGetResponseCapBytes(int bytes) {
        return new ServerSettings(port, maxInboundMessageBytes, bytes, ledger, metricsPort, limits, security);
    }

    public ServerSettings withLedger(LedgerConfig config) {
        return new ServerSettings(port, maxInboundMessageBytes, getResponseCapBytes, config, metricsPort, limits, security);
    }

    /** @param newMetricsPort {@link #METRICS_OFF}, 0 for a port the OS chooses, or a port */
    public ServerSettings withMetricsPort(int newMetricsPort) {
        return new ServerSettings(port, maxInboundMessageBytes, getResponseCapBytes, ledger, newMetricsPort, limits,
            security);
    }

    public ServerSettings withLimits(ServerLimits newLimits) {
        return new ServerSettings(port, maxInboundMessageBytes, getResponseCapBytes, ledger, metricsPort, newLimits,
            security);
    }

    public ServerSettings withSecurity(ServerSecurity newSecurity) {
        return new ServerSettings(port, maxInboundMessageBytes, getResponseCapBytes, ledger, metricsPort, limits,
            newSecurity);
    }

    /**
     * The storage variables: {@code LEDGER_STORAGE} (files, memory), {@code LEDGER_DATA_DIR},
     * {@code LEDGER_SEGMENT_BYTES}, {@code LEDGER_FSYNC} (interval, always, never),
     * {@code LEDGER_FSYNC_INTERVAL_MS}, {@code LEDGER_DISK_BUDGET_BYTES} and {@code LEDGER_RECOVERY}
     * (strict, truncate).
     */
    static StorageConfig storage(Map<String, String> env) {
        String mode = env.getOrDefault("LEDGER_STORAGE", "").trim().toLowerCase(Locale.ROOT);
        String dir = env.getOrDefault("LEDGER_DATA_DIR", "").trim();
        StorageConfig storage = switch (mode) {
            case "", "files" -> StorageConfig.files(Path.of(dir.isEmpty() ? DEFAULT_DATA_DIR : dir));
            case "memory" -> StorageConfig.memory();
            default -> throw new IllegalArgumentException("LEDGER_STORAGE=" + env.get("LEDGER_STORAGE")
                + " is not one of files, memory");
        };
        long segment = number(env, "LEDGER_SEGMENT_BYTES", storage.segmentBytes(), Integer.MAX_VALUE);
        if (segment < StorageConfig.MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("LEDGER_SEGMENT_BYTES=" + env.get("LEDGER_SEGMENT_BYTES")
                + " is below the smallest segment, " + StorageConfig.MIN_SEGMENT_BYTES + " bytes");
        }
        storage = storage.withSegmentBytes((int) segment);
        StorageConfig.Fsync fsync = storage.fsync();
        String policy = env.get("LEDGER_FSYNC");
        if (policy != null && !policy.isBlank()) {
            try {
                fsync = StorageConfig.Fsync.parse(policy);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("LEDGER_FSYNC=" + policy + " is not one of interval, always, never");
            }
        }
        long intervalMs = number(env, "LEDGER_FSYNC_INTERVAL_MS",
            TimeUnit.NANOSECONDS.toMillis(storage.fsyncIntervalNanos()), TimeUnit.DAYS.toMillis(1));
        if (intervalMs < 1) {
            throw new IllegalArgumentException("LEDGER_FSYNC_INTERVAL_MS=" + env.get("LEDGER_FSYNC_INTERVAL_MS")
                + " must be at least 1");
        }
        storage = storage.withFsync(fsync, TimeUnit.MILLISECONDS.toNanos(intervalMs))
            .withDiskBudgetBytes(number(env, "LEDGER_DISK_BUDGET_BYTES", 0, Long.MAX_VALUE));
        String recovery = env.get("LEDGER_RECOVERY");
        if (recovery != null && !recovery.isBlank()) {
            try {
                storage = storage.withRecovery(StorageConfig.Recovery.parse(recovery));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("LEDGER_RECOVERY=" + recovery + " is not one of strict, truncate");
            }
        }
        return storage;
    }

    static long number(Map<String, String> env, String name, long fallback, long max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0 || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a whole number from 0 to " + max);
        }
    }
}
