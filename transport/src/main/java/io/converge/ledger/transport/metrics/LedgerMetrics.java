package io.converge.ledger.transport.metrics;

import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.LedgerLatency;
import io.converge.ledger.core.LedgerStats;
import io.converge.ledger.core.StorageConfig;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The ledger's meters on a Micrometer {@link MeterRegistry} (docs/METRICS.md lists each):
 * what the core counts ({@link LedgerStats}, contexts, ring capacity, the two server-side
 * latency histograms), read when the registry is scraped; the gRPC calls, counted by
 * {@link #callCounter()}, which the server installs as an interceptor; and the JVM's own
 * meters from Micrometer's binders.
 *
 * <p>Nothing here runs on the ledger's threads or in the gRPC service: every ledger meter
 * is a function of state the core already keeps, read on the scraping thread.
 * {@link #close()} unhooks the GC listener the JVM binder installed; the registry's
 * owner closes the registry.
 */
public final class LedgerMetrics implements AutoCloseable {
    private final GrpcCallCounter callCounter;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Held here because the registry holds function counters' objects only weakly. */
    private final LatencyGauges toSequenced;
    private final LatencyGauges toReply;

    private LedgerMetrics(MeterRegistry registry, Ledger ledger, RingWaits ringWaits, GrpcCallCounter callCounter) {
        LedgerStats stats = ledger.stats();
        FunctionCounter.builder("ledger.appends", stats, LedgerStats::appendsStored)
            .description("entries stored by Append since start (not those restored by Load)")
            .register(registry);
        Gauge.builder("ledger.entries.stored", stats, LedgerStats::entriesStored)
            .description("entries held, whether appended or restored by Load")
            .strongReference(true)
            .register(registry);
        Gauge.builder("ledger.bytes.stored", stats, LedgerStats::bytesStored)
            .description("bytes of entries held, as counted against the memory budget")
            .strongReference(true)
            .register(registry);
        FunctionCounter.builder("ledger.store.refusals", stats, LedgerStats::storeRefusals)
            .description("appends, batches and Loads refused by the store: disk full, disk budget, a failed write")
            .register(registry);
        FunctionCounter.builder("ledger.store.forces", stats, LedgerStats::forces)
            .description("forces of the store before acknowledging (LEDGER_FSYNC=always): one per ring batch")
            .register(registry);
        FunctionCounter.builder("ledger.store.segment.waits", ledger, Ledger::segmentWaits)
            .description("times the sequencer found no segment prepared ahead of it and waited for one")
            .register(registry);
        Gauge.builder("ledger.store.bytes", ledger, Ledger::storedRecordBytes)
            .description("bytes of records in the store (files or memory), recovered ones included")
            .strongReference(true)
            .register(registry);
        Gauge.builder("ledger.contexts", ledger, Ledger::contextCount)
            .description("contexts that hold entries")
            .strongReference(true)
            .register(registry);
        Gauge.builder("ledger.watchers.open", stats, LedgerStats::watchersOpen)
            .description("Watch subscriptions registered now")
            .strongReference(true)
            .register(registry);
        Gauge.builder("ledger.ring.remaining", ledger, Ledger::ringRemainingCapacity)
            .description("free slots in the command ring now, of " + ledger.config().ringSize())
            .strongReference(true)
            .register(registry);
        // The capacities the three gauges above are measured against, so that alerts and
        // dashboards can divide by them (docs/grafana/alerts.yml).
        LedgerConfig config = ledger.config();
        Gauge.builder("ledger.ring.size", config, LedgerConfig::ringSize)
            .description("slots in the command ring (LEDGER_RING_SIZE)")
            .strongReference(true)
            .register(registry);
        Gauge.builder("ledger.memory.budget.bytes", config, LedgerConfig::memoryBudgetBytes)
            .description("the memory budget that ledger.bytes.stored counts against (LEDGER_MEMORY_BUDGET_BYTES)")
            .strongReference(true)
            .register(registry);
        StorageConfig storage = config.storage();
        if (storage.mode() == StorageConfig.Mode.FILES && storage.diskBudgetBytes() > 0) {
            long usable = storage.diskBudgetBytes() / storage.segmentBytes() * storage.segmentBytes();
            Gauge.builder("ledger.store.budget.bytes", () -> usable)
                .description("bytes of records the disk budget (LEDGER_DISK_BUDGET_BYTES) lets the store hold:"
                    + " the whole segments that fit in it; compare with ledger.store.bytes")
                .strongReference(true)
                .register(registry);
        }

        FunctionCounter.builder("ledger.ring.full.waits", ringWaits, RingWaits::waited)
            .description("calls that found the command ring full and waited for room (without blocking a thread)")
            .register(registry);
        FunctionCounter.builder("ledger.ring.full.refusals", ringWaits, RingWaits::refused)
            .description("of those, calls refused with RESOURCE_EXHAUSTED when LEDGER_RING_FULL_WAIT_MS ran out")
            .register(registry);
        Gauge.builder("ledger.ring.full.wait.longest", ringWaits, w -> w.longestWaitNanos() / 1e9)
            .description("the longest any call waited for ring room since start, published or refused")
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);

        LedgerLatency latency = ledger.latency();
        this.toSequenced = new LatencyGauges(latency.publishToSequenced()::sinceStart, System::nanoTime)
            .register(registry, "ledger.latency.publish.to.sequenced",
                "time from publishing a command (Append, Load, Watch) into the ring until the sequencer finished it");
        this.toReply = new LatencyGauges(latency.publishToReply()::sinceStart, System::nanoTime)
            .register(registry, "ledger.latency.publish.to.reply",
                "time from publishing a command (Append, Load, Watch) into the ring until its reply was handed to gRPC");

        this.callCounter = callCounter;

        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Registers the ledger's, its transport's ring waits' and the JVM's meters on {@code registry},
     * beside {@code callCounter}'s (made on the same registry before the ledger existed, so that it
     * counts the calls refused while the ledger recovered).
     */
    public static LedgerMetrics bind(MeterRegistry registry, Ledger ledger, RingWaits ringWaits,
                                     GrpcCallCounter callCounter) {
        return new LedgerMetrics(registry, ledger, ringWaits, callCounter);
    }

    /** The interceptor that counts completed calls; install it on every service of the server. */
    public ServerInterceptor callCounter() {
        return callCounter;
    }

    @Override
    public void close() {
        gc.close();
    }
}
