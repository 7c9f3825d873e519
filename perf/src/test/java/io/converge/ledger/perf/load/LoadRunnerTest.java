package io.converge.ledger.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end against a real ledger over Netty on loopback: every Append the tool counts, the server stored. */
@Timeout(30)
class LoadRunnerTest {
    @TempDir
    Path out;

    @Test
    void aClosedLoopRunCountsExactlyWhatTheServerStoredAndWritesItsFiles() throws Exception {
        try (LedgerOnLoopback ledger = new LedgerOnLoopback()) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int status = LoadMain.run(new String[] {"--target", ledger.target(), "--callers", "8", "--contexts", "3",
                "--duration", "700ms", "--warmup", "200ms", "--run-id", "closed", "--out", out.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
            String text = stdout.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, text);
            String result = text.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElseThrow();
            assertTrue(text.stripTrailing().endsWith(result), "the RESULT line comes last");
            assertTrue(result.startsWith("RESULT mode=closed ") && result.contains(" callers=8 "), result);
            assertTrue(result.contains(" errors=0 unanswered=0 status=ok"), result);
            LoadOptions options = LoadOptions.parse("--contexts", "3", "--run-id", "closed");
            long total = Long.parseLong(value(result, "appends_total"));
            assertTrue(total > 0 && Long.parseLong(value(result, "appends")) > 0, result);
            assertEquals(ledger.storedIn(options), total, "every OK reply counted, and only those");
            assertEquals(total, ledger.server.ledger().stats().entriesStored());
            assertTrue(Double.parseDouble(value(result, "p99_us")) > 0, result);
            assertTrue(Files.readString(out.resolve(LoadMain.APPEND_HGRM)).contains("Value     Percentile"));
            String html = Files.readString(out.resolve(LoadMain.HTML));
            assertTrue(html.contains("<svg") && html.contains("<polyline"), "the page has the plot");
            assertTrue(html.contains("callers") && !html.contains("<script"), "parameters, no scripts");
            assertEquals(result, Files.readString(out.resolve(LoadMain.RESULT_TXT)).strip());
        }
    }

    @Test
    void anOpenLoopRunRecordsBothHistogramsAndCountsWhatTheServerStored() throws Exception {
        try (LedgerOnLoopback ledger = new LedgerOnLoopback()) {
            LoadOptions options = LoadOptions.parse("--target", ledger.target(), "--rate", "400", "--contexts", "2",
                "--duration", "700ms", "--warmup", "200ms", "--run-id", "open", "--out", out.toString());
            LoadResult r = LoadRunner.run(options);
            assertTrue(r.ok(), LatencyReport.resultLine(r));
            assertTrue(r.errors().isEmpty());
            assertEquals(ledger.storedIn(options), r.totalAppends());
            assertEquals(0, r.unsent(), "400/s is well within reach");
            assertEquals(360, r.totalAppends(), 1, "the schedule: 0.9 s at 400/s");
            assertEquals(280, r.measuredAppends(), 1, "0.7 s at 400/s measured");
            assertEquals(r.measuredAppends(), r.appendLatency().getTotalCount());
            assertNotNull(r.uncorrectedLatency());
            assertEquals(r.measuredAppends(), r.uncorrectedLatency().getTotalCount());
            assertNull(r.watchLatency());
            LoadMain.writeFiles(r);
            assertTrue(Files.exists(out.resolve(LoadMain.UNCORRECTED_HGRM)));
            String html = Files.readString(out.resolve(LoadMain.HTML));
            assertTrue(html.contains("<svg") && html.contains("(uncorrected)") && html.contains("(corrected)"));
            String result = LatencyReport.resultLine(r);
            assertTrue(result.startsWith("RESULT mode=open ") && result.contains(" uncorrected_p99_us="), result);
        }
    }

    @Test
    void aRunWithFailedAppendsSaysSoLoudlyCountsThemByStatusAndExitsWithOne() throws Exception {
        try (SlowLedger failing = new SlowLedger(1, 5)) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int status = LoadMain.run(new String[] {"--target", failing.target(), "--callers", "2",
                "--duration", "300ms", "--warmup", "0", "--out", out.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
            String text = stdout.toString(StandardCharsets.UTF_8);
            assertEquals(1, status, text);
            assertTrue(text.contains("!!! THIS RUN HAD ERRORS: ") && text.contains("(UNAVAILABLE="), text);
            assertTrue(text.contains(" status=FAILED"), text);
            assertTrue(Long.parseLong(value(text, "errors")) > 0, text);
        }
    }

    private static String value(String resultLine, String key) {
        Matcher m = Pattern.compile(" " + key + "=(\\S+)").matcher(resultLine);
        assertTrue(m.find(), key + " in " + resultLine);
        return m.group(1);
    }
}
