package io.converge.ledger.perf.load;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadOptionsTest {
    @Test
    void noArgumentsMeanAClosedLoopOfFiftyCallersForTenSecondsAgainstLocalhost() throws Exception {
        LoadOptions o = LoadOptions.parse();
        assertEquals(LoadOptions.Mode.CLOSED, o.mode());
        assertEquals("localhost", o.host());
        assertEquals(50051, o.port());
        assertEquals(50, o.callers());
        assertEquals(4, o.channels(), "min(callers, 4)");
        assertEquals(Duration.ofSeconds(10), o.duration());
        assertEquals(Duration.ofSeconds(2), o.warmup());
        assertEquals(64, o.payloadBytes());
        assertEquals(1, o.contexts());
        assertEquals(0, o.watchers());
        assertEquals(Path.of("loadgen-results"), o.out());
        assertEquals(null, o.serverMetrics());
    }

    @Test
    void everyOptionIsReadInEitherSpelling() throws Exception {
        LoadOptions o = LoadOptions.parse("--target", "10.0.0.7:6000", "--rate=2500.5", "--duration", "1.5s",
            "--warmup=0", "--payload", "128", "--contexts", "3", "--watchers", "6", "--channels", "2", "--out", "x/y",
            "--server-metrics", "http://localhost:9090/", "--max-outstanding", "100", "--run-id", "r1",
            "--server-pid", "31337");
        assertEquals(LoadOptions.Mode.OPEN, o.mode());
        assertEquals("10.0.0.7", o.host());
        assertEquals(6000, o.port());
        assertEquals(2500.5, o.rate());
        assertEquals(0, o.callers());
        assertEquals(Duration.ofMillis(1500), o.duration());
        assertEquals(Duration.ZERO, o.warmup());
        assertEquals(128, o.payloadBytes());
        assertEquals(6, o.watchers());
        assertEquals(LoadOptions.WatchRpc.WATCH, o.watchRpc());
        assertEquals(0, o.stalledWatchers());
        assertEquals(31337, o.serverPid());
        LoadOptions batches = LoadOptions.parse("--rpc", "stream", "--watchers", "4", "--watch-rpc", "batches",
            "--stalled-watchers", "10000");
        assertEquals(LoadOptions.WatchRpc.BATCHES, batches.watchRpc());
        assertEquals(4, batches.watchers());
        assertEquals(10_000, batches.stalledWatchers());
        assertEquals(2, o.channels());
        assertEquals(Path.of("x/y"), o.out());
        assertEquals(URI.create("http://localhost:9090"), o.serverMetrics(), "trailing slash dropped");
        assertEquals(100, o.maxOutstanding());
        assertEquals("load-r1-2", o.contextId(2));
    }

    @Test
    void durationsTakeTheUsualUnitsAndABareNumberIsSeconds() throws Exception {
        assertEquals(Duration.ofMillis(500), LoadOptions.duration("--d", "500ms", false));
        assertEquals(Duration.ofMinutes(2), LoadOptions.duration("--d", "2m", false));
        assertEquals(Duration.ofNanos(250_000), LoadOptions.duration("--d", "250us", false));
        assertEquals(Duration.ofSeconds(3), LoadOptions.duration("--d", "3", false));
        assertEquals("10s", LoadOptions.format(Duration.ofSeconds(10)));
        assertEquals("500ms", LoadOptions.format(Duration.ofMillis(500)));
    }

    @Test
    void closedLoopChannelsDefaultToAtMostTheCallersAndExpectedIntervalIsRead() throws Exception {
        LoadOptions o = LoadOptions.parse("--callers", "2", "--expected-interval", "1ms");
        assertEquals(2, o.channels());
        assertEquals(1_000_000, o.expectedIntervalNanos());
    }

    @Test
    void theRpcIsUnaryUnlessAskedAndBatchedRunsDefaultToFourStreamsOfWindowFourAndBatchesOfAHundred() throws Exception {
        LoadOptions unary = LoadOptions.parse();
        assertEquals(LoadOptions.Rpc.UNARY, unary.rpc());
        assertFalse(unary.batched());
        LoadOptions stream = LoadOptions.parse("--rpc", "stream");
        assertEquals(LoadOptions.Rpc.STREAM, stream.rpc());
        assertEquals(LoadOptions.Mode.CLOSED, stream.mode());
        assertEquals(100, stream.batch());
        assertEquals(4, stream.streams());
        assertEquals(4, stream.window());
        assertEquals(2, stream.channels(), "min(streams, 2)");
        assertEquals(0, stream.callers());
        LoadOptions open = LoadOptions.parse("--rpc=stream", "--rate", "2000000", "--batch", "50", "--streams", "8",
            "--window", "16", "--channels", "3");
        assertEquals(LoadOptions.Mode.OPEN, open.mode());
        assertEquals(2_000_000, open.rate());
        assertEquals(50, open.batch());
        assertEquals(8, open.streams());
        assertEquals(16, open.window());
        assertEquals(3, open.channels());
        LoadOptions batch = LoadOptions.parse("--rpc", "batch", "--streams", "1");
        assertEquals(LoadOptions.Rpc.BATCH, batch.rpc());
        assertEquals(1, batch.channels());
    }

    @Test
    void batchedRunsRejectTheUnaryOnlyOptionsAndUnaryRejectsTheBatchedOnes() {
        assertRejected("is not unary, batch or stream", "--rpc", "bidi");
        assertRejected("--batch", "--rpc", "stream", "--batch", "0");
        assertRejected("--window", "--rpc", "stream", "--window", "0");
        assertRejected("takes --streams", "--rpc", "stream", "--callers", "5");
        assertRejected("--watchers applies to --rpc unary and stream", "--rpc", "batch", "--watchers", "1");
        assertRejected("--watch-rpc sideways is not one of watch, batches", "--watch-rpc", "sideways");
        assertRejected("--expected-interval applies to --rpc unary", "--rpc", "stream", "--expected-interval", "1ms");
        assertRejected("bounds batches in flight with --window", "--rpc", "stream", "--rate", "5",
            "--max-outstanding", "5");
        assertRejected("not batch", "--rpc", "batch", "--rate", "1000");
        assertRejected("apply to --rpc batch and stream only", "--batch", "10");
        assertRejected("apply to --rpc batch and stream only", "--rpc", "unary", "--streams", "2");
    }

    @Test
    void badValuesAreRejectedWithAMessageNamingTheOption() {
        assertRejected("--callers", "--callers", "0");
        assertRejected("--callers", "--callers", "many");
        assertRejected("--rate", "--rate", "-5");
        assertRejected("--duration", "--duration", "0s");
        assertRejected("--duration", "--duration", "soon");
        assertRejected("--warmup", "--warmup", "-1s");
        assertRejected("--target", "--target", "localhost");
        assertRejected("--target", "--target", "localhost:70000");
        assertRejected("--payload", "--payload", "4194305");
        assertRejected("--contexts", "--contexts", "0");
        assertRejected("--server-metrics", "--server-metrics", "ftp://x");
        assertRejected("--run-id", "--run-id", "a b");
        assertRejected("unknown option --speed", "--speed", "9");
        assertRejected("needs a value", "--callers");
        assertRejected("given twice", "--payload", "8", "--payload", "9");
        assertRejected("unexpected argument", "fast");
    }

    @Test
    void contradictoryOptionsAreRejected() {
        assertRejected("exclude each other", "--rate", "100", "--callers", "5");
        assertRejected("closed loop only", "--rate", "100", "--expected-interval", "1ms");
        assertRejected("open loop (--rate) only", "--max-outstanding", "5");
        assertRejected("at least 8", "--watchers", "1", "--payload", "4");
    }

    @Test
    void helpIsAnEmptyMessageAndBadOptionsExitWithTwoAndTheUsage() throws Exception {
        assertEquals("", assertThrows(BadOptionsException.class, () -> LoadOptions.parse("--help")).getMessage());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LoadMain.run(new String[] {"--callers", "x"}, System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--callers x is not a whole number"), text);
        assertTrue(text.contains("usage:"), text);
    }

    private static void assertRejected(String expectedFragment, String... args) {
        BadOptionsException e = assertThrows(BadOptionsException.class, () -> LoadOptions.parse(args),
            String.join(" ", args));
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    }
}
