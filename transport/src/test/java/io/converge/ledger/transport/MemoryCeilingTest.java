package io.converge.ledger.transport;

import io.converge.ledger.core.LedgerConfig;
import io.converge.ledger.core.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A memory budget the JVM cannot hold is refused at start ({@link MemoryCeiling}). */
class MemoryCeilingTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path tempDir;

    @Test
    void withRecordsInFilesTheBudgetMayNotExceedTheHeap() {
        LedgerConfig files = LedgerConfig.defaults().withStorage(StorageConfig.files(tempDir));

        assertNull(MemoryCeiling.refusal(files.withMemoryBudgetBytes(GIB), GIB, 0));
        String refusal = MemoryCeiling.refusal(files.withMemoryBudgetBytes(GIB + 1), GIB, 64 * GIB);
        assertTrue(refusal.contains("LEDGER_MEMORY_BUDGET_BYTES=" + (GIB + 1)) && refusal.contains("-Xmx"), refusal);
    }

    @Test
    void withRecordsInMemoryTheBudgetMayNotExceedTheDirectMemoryLimit() {
        LedgerConfig memory = LedgerConfig.defaults().withStorage(StorageConfig.memory());

        assertNull(MemoryCeiling.refusal(memory.withMemoryBudgetBytes(2 * GIB), GIB, 2 * GIB));
        String refusal = MemoryCeiling.refusal(memory.withMemoryBudgetBytes(2 * GIB), 4 * GIB, GIB);
        assertTrue(refusal.contains("MaxDirectMemorySize"), refusal);
    }

    @Test
    void theDirectLimitIsTheJvmsFlagOrElseTheHeap() {
        assertEquals(GIB, MemoryCeiling.directLimit(List.of("-Xmx2g"), GIB));
        assertEquals(512L << 20, MemoryCeiling.directLimit(List.of("-XX:MaxDirectMemorySize=512m"), GIB));
        assertEquals(3 * GIB, MemoryCeiling.directLimit(List.of("-XX:MaxDirectMemorySize=3G"), GIB));
        assertEquals(GIB, MemoryCeiling.directLimit(List.of("-XX:MaxDirectMemorySize=0"), GIB));
    }

    @Test
    void theServerRefusesToStartWithABudgetAboveItsHeapAndSaysWhy() throws Exception {
        // The child runs with -Xmx512m.
        try (LedgerProcess server = LedgerProcess.start(tempDir.resolve("ledger-data"),
            Map.of("LEDGER_MEMORY_BUDGET_BYTES", String.valueOf(4 * GIB)))) {
            assertEquals(2, server.awaitExit(), server.outputText());
            assertTrue(server.outputText().contains("LEDGER_MEMORY_BUDGET_BYTES=" + 4 * GIB), server.outputText());
        }
    }
}
