package io.converge.ledger.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AppendBatch and AppendStream runs against the no-op baseline over Netty on loopback: every entry sent is acked. */
@Timeout(30)
class BatchedRunTest {
    @TempDir
    Path out;

    @Test
    void aClosedLoopStreamRunCountsOneAckPerEntryAndWritesItsFiles() throws Exception {
        try (BaselineOnLoopback noop = new BaselineOnLoopback()) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int status = LoadMain.run(new String[] {"--target", noop.target(), "--rpc", "stream", "--batch", "10",
                "--streams", "3", "--window", "2", "--contexts", "4", "--duration", "300ms", "--warmup", "100ms",
                "--out", out.toString()}, new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
            String text = stdout.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, text);
            String result = text.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElseThrow();
            assertTrue(result.startsWith("RESULT mode=closed rpc=stream batch=10 streams=3 window=2 "), result);
            assertTrue(result.endsWith(" errors=0 unanswered=0 status=ok"), result);
            assertTrue(text.contains("per-entry latency: "), text);
            assertTrue(Files.readString(out.resolve(LoadMain.APPEND_HGRM)).contains("Value     Percentile"));
            assertTrue(Files.readString(out.resolve(LoadMain.HTML)).contains("AppendStream"));
        }
    }

    @Test
    void aClosedLoopStreamRunRecordsEachBatchOncePerEntry() throws Exception {
        try (BaselineOnLoopback noop = new BaselineOnLoopback()) {
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", noop.target(), "--rpc", "stream",
                "--batch", "7", "--streams", "2", "--window", "3", "--contexts", "3", "--duration", "300ms",
                "--warmup", "100ms", "--out", out.toString()));
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertTrue(r.measuredBatches() > 0 && r.totalBatches() >= r.measuredBatches(), LatencyReport.resultLine(r));
            assertEquals(7 * r.totalBatches(), r.totalAppends(), "one ack per entry");
            assertEquals(7 * r.measuredBatches(), r.measuredAppends());
            assertEquals(r.measuredAppends(), r.appendLatency().getTotalCount(), "latency counted once per entry");
            assertNull(r.uncorrectedLatency());
        }
    }

    @Test
    void aClosedLoopAppendBatchRunCountsOneAckPerEntry() throws Exception {
        try (BaselineOnLoopback noop = new BaselineOnLoopback()) {
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", noop.target(), "--rpc", "batch",
                "--batch", "20", "--streams", "2", "--window", "2", "--contexts", "3", "--duration", "300ms",
                "--warmup", "100ms", "--out", out.toString()));
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertTrue(r.measuredBatches() > 0, LatencyReport.resultLine(r));
            assertEquals(20 * r.totalBatches(), r.totalAppends());
            assertEquals(r.measuredAppends(), r.appendLatency().getTotalCount());
            assertTrue(LatencyReport.resultLine(r).contains(" rpc=batch "), LatencyReport.resultLine(r));
        }
    }

    @Test
    void anOpenLoopStreamRunSendsItsScheduleInBatchesAndRecordsBothHistograms() throws Exception {
        try (BaselineOnLoopback noop = new BaselineOnLoopback()) {
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", noop.target(), "--rpc", "stream",
                "--rate", "20000", "--batch", "50", "--streams", "2", "--window", "4", "--duration", "300ms",
                "--warmup", "100ms", "--out", out.toString()));
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertEquals(0, r.unsent(), LatencyReport.resultLine(r));
            assertEquals(160, r.totalBatches(), "0.4 s at 400 batches/s");
            assertEquals(120, r.measuredBatches(), 1, "0.3 s at 400 batches/s measured");
            assertEquals(50 * r.measuredBatches(), r.measuredAppends());
            assertNotNull(r.uncorrectedLatency());
            assertEquals(r.measuredAppends(), r.uncorrectedLatency().getTotalCount());
            String result = LatencyReport.resultLine(r);
            assertTrue(result.startsWith("RESULT mode=open rpc=stream ") && result.contains(" cap_waits="), result);
        }
    }

    @Test
    void aStreamTheServerRefusesIsCountedByStatusAndFailsTheRun() throws Exception {
        try (SlowLedger failing = new SlowLedger(1, 5)) {
            LoadResult r = LoadRunner.run(LoadOptions.parse("--target", failing.target(), "--rpc", "stream",
                "--streams", "2", "--duration", "200ms", "--warmup", "0", "--out", out.toString()));
            assertTrue(!r.ok(), LatencyReport.resultLine(r));
            assertEquals(2L, r.errors().get("UNIMPLEMENTED"), LatencyReport.resultLine(r));
            assertEquals(0, r.unanswered());
        }
    }
}
