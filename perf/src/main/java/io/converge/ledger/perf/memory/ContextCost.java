package io.converge.ledger.perf.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.converge.ledger.core.AppendCallback;
import io.converge.ledger.core.ContextLog;
import io.converge.ledger.core.Ledger;
import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.LedgerException;
import io.converge.ledger.core.LoadCallback;
import io.converge.ledger.core.WatchSink;
import io.converge.ledger.core.WatchSubscription;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * {@code contexts}: what a context costs in the ledger's heap when it holds 0, 1 and 100
 * entries, measured with class histograms of the live heap (as {@code jcmd GC.class_histogram})
 * before and after filling a fresh ledger with many such contexts, so each figure is an average.
 *
 * <p>Every entry comes with its own key String and payload array, as requests from the wire
 * do; the per-class breakdown shows where the bytes are.
 */
public final class ContextCost {
    static final String KEY = "fact";
    static final int PAYLOAD_BYTES = 64;
    private static final long DEADLINE_NANOS = TimeUnit.MINUTES.toNanos(5);

    private ContextCost() {
    }

    public static int run(String[] args, PrintStream out) throws InterruptedException {
        int contexts = 100_000;
        long maxEntries = 1_000_000;
        int[] entryCounts = {0, 1, 100};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--contexts" -> contexts = Integer.parseInt(args[++i]);
                case "--max-entries" -> maxEntries = Long.parseLong(args[++i]);
                case "--entries" -> entryCounts = java.util.Arrays.stream(args[++i].split(","))
                    .mapToInt(Integer::parseInt).toArray();
                default -> {
                    out.println("usage: contexts [--contexts N (100000)] [--entries 0,1,100]"
                        + " [--max-entries M (1000000): fewer contexts when N x entries exceeds M]");
                    return 2;
                }
            }
        }
        out.println(jvm());
        for (int k : entryCounts) { // loads and compiles what the measured runs use
            measure(Math.min(contexts, 1000), k, k > 0);
        }
        out.printf("%-8s %9s %12s %12s %12s%n", "entries", "contexts", "total", "heap used", "budget");
        List<String> breakdowns = new ArrayList<>();
        for (int k : entryCounts) {
            int n = (int) Math.max(1, Math.min(contexts, k == 0 ? contexts : maxEntries / k));
            Measured m = measure(n, k, k > 0);
            out.printf("%-8d %9d %12s %12s %12s%n", k, n, perContext(m.totalBytes, n), perContext(m.heapUsedBytes, n),
                perContext(m.budgetBytes, n));
            breakdowns.add(k + " entries" + (k > 0 ? ", own key String and payload array per entry" : "") + ": "
                + m.byClass(n));
        }
        out.println();
        out.println("bytes per context: total = what the live heap's class histogram grew by; heap used = MemoryMXBean"
            + " used heap after full GC; budget = what the memory budget counts (MemoryBudget: an index slot per"
            + " entry, the context once, and here, with records in memory, each record).");
        out.println("Records (context id, key, metadata, payload) are off the heap, in direct memory here or mapped"
            + " files in the server; the heap keeps one long per entry in the context's index. By class, per context:");
        out.println("0 entries: each context only read (view), loaded from an empty snapshot, watched and the watch"
            + " cancelled.");
        breakdowns.forEach(out::println);
        return 0;
    }

    private static String perContext(long bytes, int n) {
        return String.format("%.1f", (double) bytes / n);
    }

    private record Measured(long totalBytes, long heapUsedBytes, long budgetBytes,
                            Map<String, Long> bytesByClass) {
        String byClass(int n) {
            return bytesByClass.entrySet().stream()
                .filter(e -> Math.abs(e.getValue()) >= Math.max(1, n / 10))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .map(e -> e.getKey() + " " + perContext(e.getValue(), n))
                .collect(Collectors.joining(", "));
        }
    }

    /** Fills a fresh ledger with {@code n} contexts of {@code k} entries each and measures what stayed live. */
    private static Measured measure(int n, int k, boolean ownData) throws InterruptedException {
        LedgerConfig config = LedgerConfig.defaults().withMemoryBudgetBytes(Long.MAX_VALUE)
            .withRingFullWaitNanos(TimeUnit.SECONDS.toNanos(30));
        try (Ledger ledger = Ledger.start(config)) {
            ClassHistogram before = ClassHistogram.live();
            long heapBefore = heapUsed();
            Outcomes outcomes = new Outcomes();
            if (k == 0) {
                touch(ledger, n, outcomes);
            } else {
                fill(ledger, n, k, ownData, outcomes);
            }
            outcomes.await(k == 0 ? 2L * n : (long) n * k, () -> ledger.stats().watchersOpen() == 0);
            if (outcomes.rejected.get() > 0) {
                throw new IllegalStateException(outcomes.rejected.get() + " commands were refused");
            }
            int expected = k == 0 ? 0 : n;
            if (ledger.contextCount() != expected) {
                throw new IllegalStateException(ledger.contextCount() + " contexts, expected " + expected);
            }
            ClassHistogram after = ClassHistogram.live();
            long heapAfter = heapUsed();
            Map<String, Long> delta = after.bytesSince(before);
            return new Measured(after.totalBytes() - before.totalBytes(), heapAfter - heapBefore,
                ledger.stats().bytesStored(), delta);
        }
    }

    private static void fill(Ledger ledger, int n, int k, boolean ownData, Outcomes outcomes) {
        byte[] sharedPayload = new byte[PAYLOAD_BYTES];
        byte[] keyBytes = KEY.getBytes(StandardCharsets.UTF_8);
        for (int e = 0; e < k; e++) {
            for (int c = 0; c < n; c++) {
                String contextId = "context-" + c; // a fresh String each time, as a request's is
                byte[] payload = ownData ? new byte[PAYLOAD_BYTES] : sharedPayload;
                String key = ownData ? new String(keyBytes, StandardCharsets.UTF_8) : KEY;
                ledger.append(contextId, key, payload, Map.of(), outcomes);
            }
        }
    }

    /** Everything that names a context without storing an entry in it. */
    private static void touch(Ledger ledger, int n, Outcomes outcomes) {
        byte[] emptySnapshot = ledger.snapshot("never-written").blob();
        for (int c = 0; c < n; c++) {
            String contextId = "context-" + c;
            if (ledger.view(contextId).latestSequence() != 0) {
                throw new IllegalStateException(contextId + " is not empty");
            }
            ledger.load(contextId, emptySnapshot, false, outcomes);
            WatchSubscription watch = ledger.watch(contextId, "", 0, IdleSink.INSTANCE);
            watch.cancel();
            outcomes.onAppended(0, 0, 0, 0); // the watch counts as done once no watcher is open
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String jvm() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
            .collect(Collectors.joining("+"));
        return String.format("JVM %s %s, max heap %d MiB, %s, UseCompressedOops=%s, ObjectAlignmentInBytes=%s",
            System.getProperty("java.vm.name"), System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() >> 20, gcs, hotspot.getVMOption("UseCompressedOops").getValue(),
            hotspot.getVMOption("ObjectAlignmentInBytes").getValue());
    }

    /** Counts the callbacks; shared by every command of one measurement. */
    private static final class Outcomes implements AppendCallback, LoadCallback {
        final AtomicLong done = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();

        @Override
        public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
            done.incrementAndGet();
        }

        @Override
        public void onLoaded(long entriesRestored, long latestSequence) {
            done.incrementAndGet();
        }

        @Override
        public void onRejected(LedgerException reason) {
            rejected.incrementAndGet();
            done.incrementAndGet();
        }

        void await(long expected, java.util.function.BooleanSupplier alsoDone) throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (done.get() < expected || !alsoDone.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + done.get() + " of " + expected + " commands completed");
                }
                Thread.sleep(10);
            }
        }
    }

    private enum IdleSink implements WatchSink {
        INSTANCE;

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public boolean offer(ContextLog log, long sequence) {
            return true;
        }

        @Override
        public void onClosed() {
        }
    }
}
