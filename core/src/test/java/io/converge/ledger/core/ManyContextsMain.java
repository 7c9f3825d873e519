package io.converge.ledger.core;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run by {@link ManyContextsTest} in a JVM of its own (the test sets its heap): appends one
 * 64-byte entry to each of {@value #CONTEXTS} contexts through a ledger on the defaults (the
 * memory budget is half the heap), checks a sample reads back, and prints the heap used after
 * GC. Exits 0 and prints {@code OK} on success, else prints why and exits 1.
 */
public final class ManyContextsMain {
    static final int CONTEXTS = 1_000_000;
    static final int PAYLOAD_BYTES = 64;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private ManyContextsMain() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        LedgerConfig config = LedgerConfig.defaults().withRingFullWaitNanos(TimeUnit.SECONDS.toNanos(10));
        try (Ledger ledger = Ledger.start(config)) {
            long heapBefore = usedHeapAfterGc();
            AtomicLong stored = new AtomicLong();
            AtomicReference<LedgerException> refused = new AtomicReference<>();
            AppendCallback callback = new AppendCallback() {
                @Override
                public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
                    if (sequence == 1) {
                        stored.incrementAndGet();
                    }
                }

                @Override
                public void onRejected(LedgerException reason) {
                    refused.compareAndSet(null, reason);
                }
            };
            byte[] keyBytes = "fact".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < CONTEXTS && refused.get() == null; i++) {
                // a fresh id, key and payload per append, as each request from the wire has
                ledger.append(contextId(i), new String(keyBytes, StandardCharsets.UTF_8), payload(i), Map.of(), callback);
            }
            long deadline = start + DEADLINE_NANOS;
            while (stored.get() < CONTEXTS && refused.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long appendNanos = System.nanoTime() - start;
            if (refused.get() != null || stored.get() != CONTEXTS) {
                fail(stored.get() + " of " + CONTEXTS + " appends stored; refused: " + refused.get());
            }
            for (int i = 0; i < CONTEXTS; i += 9_973) {
                ContextView view = ledger.view(contextId(i));
                if (view.latestSequence() != 1 || !java.util.Arrays.equals(payload(i), view.entry(1).payloadBytes())
                    || !"fact".equals(view.entry(1).key())) {
                    fail("context " + contextId(i) + " does not read back its one entry");
                }
            }
            if (ledger.contextCount() != CONTEXTS) {
                fail(ledger.contextCount() + " contexts, expected " + CONTEXTS);
            }
            long used = usedHeapAfterGc() - heapBefore;
            System.out.printf("contexts=%d appendSeconds=%.1f maxHeapMiB=%d usedHeapMiB=%.1f bytesPerContext=%.0f"
                    + " budgetCountedMiB=%.1f budgetMiB=%d%n",
                CONTEXTS, appendNanos / 1e9, Runtime.getRuntime().maxMemory() >> 20, used / 1048576.0,
                (double) used / CONTEXTS, ledger.stats().bytesStored() / 1048576.0, config.memoryBudgetBytes() >> 20);
        }
        System.out.println("OK");
    }

    static String contextId(int i) {
        return "context-" + i;
    }

    private static byte[] payload(int i) {
        return ByteBuffer.allocate(PAYLOAD_BYTES).putInt(i).putInt(PAYLOAD_BYTES - 4, ~i).array();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void fail(String why) {
        System.out.println("FAILED: " + why);
        System.exit(1);
    }
}
