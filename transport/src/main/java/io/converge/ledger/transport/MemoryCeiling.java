package io.converge.ledger.transport;

import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.StorageConfig;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * What the JVM can hold, against {@code LEDGER_MEMORY_BUDGET_BYTES}: a budget the process
 * cannot hold is refused at start, so that the heap never runs out in the middle of an
 * append (a budget is only worth anything if reaching it comes before the JVM's own limit).
 *
 * <ul>
 *   <li>With records in files, the budget counts the index, which lives on the Java heap:
 *       it may not exceed the heap's maximum ({@code -Xmx}; {@link Runtime#maxMemory()}).</li>
 *   <li>With {@code LEDGER_STORAGE=memory}, it counts the records too, which live in direct
 *       memory: it may not exceed the direct memory limit ({@code -XX:MaxDirectMemorySize},
 *       which defaults to the heap's maximum).</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class MemoryCeiling {
    private MemoryCeiling() {
    }

    /** The refusal of {@code config}'s budget in this JVM, or null when it can hold it. */
    static String refusal(LedgerConfig config) {
        long heap = Runtime.getRuntime().maxMemory();
        return refusal(config, heap, directLimit(ManagementFactory.getRuntimeMXBean().getInputArguments(), heap));
    }

    /** The refusal of {@code config}'s budget given those two limits (bytes), or null when it fits. */
    static String refusal(LedgerConfig config, long maxHeapBytes, long maxDirectBytes) {
        long budget = config.memoryBudgetBytes();
        if (config.storage().mode() == StorageConfig.Mode.MEMORY) {
            if (budget > maxDirectBytes) {
                return "LEDGER_MEMORY_BUDGET_BYTES=" + budget + " is more than this JVM can hold: with"
                    + " LEDGER_STORAGE=memory the records live in direct memory, limited to " + maxDirectBytes
                    + " bytes (-XX:MaxDirectMemorySize, by default the heap's maximum); lower the budget or raise the limit";
            }
        } else if (budget > maxHeapBytes) {
            return "LEDGER_MEMORY_BUDGET_BYTES=" + budget + " is more than this JVM can hold: the index of the stored"
                + " entries lives on the Java heap, at most " + maxHeapBytes + " bytes (-Xmx); lower the budget"
                + " (by default it is half the heap) or raise -Xmx";
        }
        return null;
    }

    /** {@code -XX:MaxDirectMemorySize} as the JVM was started with it (the last one wins), else {@code maxHeap}. */
    static long directLimit(List<String> jvmArguments, long maxHeap) {
        long limit = maxHeap;
        for (String argument : jvmArguments) {
            if (argument.startsWith("-XX:MaxDirectMemorySize=")) {
                long parsed = bytes(argument.substring(argument.indexOf('=') + 1));
                limit = parsed > 0 ? parsed : maxHeap; // 0 means the default
            }
        }
        return limit;
    }

    private static long bytes(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        try {
            return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
