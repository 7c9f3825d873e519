package io.converge.ledger.transport;

import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.StorageConfig;
import io.converge.ledger.transport.logging.LogSettings;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one line the server main logs at start: what it runs with, after defaults, as
 * {@code key=value} pairs. It names files and switches, never a secret: TLS and token
 * authentication are reported as on or off from whether their variables are set.
 */
final class EffectiveConfiguration {
    private EffectiveConfiguration() {
    }

    static String describe(ServingMode mode, ServerSettings settings, LogSettings log, Map<String, String> env) {
        LedgerConfig ledger = settings.ledger();
        StorageConfig storage = ledger.storage();
        ServerLimits limits = settings.limits();
        StringBuilder line = new StringBuilder("configuration:");
        pair(line, "mode", mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        pair(line, "port", settings.port());
        if (env.get("LEDGER_CLUSTER_MEMBERS") != null) {
            pair(line, "cluster_member_id", env.getOrDefault("LEDGER_CLUSTER_MEMBER_ID", "?").trim());
            pair(line, "cluster_members", env.get("LEDGER_CLUSTER_MEMBERS").trim());
        }
        pair(line, "bind_address", limits.bindAddress());
        pair(line, "storage", storage.mode().name().toLowerCase(Locale.ROOT));
        if (storage.mode() == StorageConfig.Mode.FILES) {
            pair(line, "data_dir", storage.dataDirectory().toAbsolutePath());
            pair(line, "fsync", storage.fsync().name().toLowerCase(Locale.ROOT));
            if (storage.fsync() == StorageConfig.Fsync.INTERVAL) {
                pair(line, "fsync_interval_ms", TimeUnit.NANOSECONDS.toMillis(storage.fsyncIntervalNanos()));
            }
            pair(line, "recovery", storage.recovery().name().toLowerCase(Locale.ROOT));
            pair(line, "disk_budget_bytes", storage.diskBudgetBytes() == 0 ? "none" : storage.diskBudgetBytes());
        }
        pair(line, "segment_bytes", storage.segmentBytes());
        pair(line, "memory_budget_bytes", ledger.memoryBudgetBytes());
        pair(line, "ring_slots", ledger.ringSize());
        pair(line, "ring_full_wait_ms", TimeUnit.NANOSECONDS.toMillis(ledger.ringFullWaitNanos()));
        pair(line, "wait_strategy", ledger.waitStrategy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        pair(line, "watch_threads", ledger.watchThreads());
        pair(line, "max_message_bytes", settings.maxInboundMessageBytes());
        pair(line, "get_response_cap_bytes", settings.getResponseCapBytes());
        pair(line, "max_connections", limits.maxConnections());
        pair(line, "max_watchers", limits.maxWatchers());
        pair(line, "transfer_budget_bytes", limits.transferBudgetBytes());
        pair(line, "metrics", settings.metricsOn()
            ? limits.metricsBindAddress() + ":" + (settings.metricsPort() == 0 ? "any" : settings.metricsPort()) : "off");
        pair(line, "tls", set(env, "LEDGER_TLS_CERT_FILE") ? (set(env, "LEDGER_TLS_CLIENT_CA_FILE") ? "mtls" : "on")
            : "off");
        pair(line, "auth", set(env, "LEDGER_AUTH_TOKENS_FILE") ? "tokens" : "off");
        pair(line, "log_level", log.level().label());
        pair(line, "log_format", log.format().label());
        return line.toString();
    }

    private static boolean set(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }

    private static void pair(StringBuilder line, String key, Object value) {
        line.append(' ').append(key).append('=').append(value);
    }
}
