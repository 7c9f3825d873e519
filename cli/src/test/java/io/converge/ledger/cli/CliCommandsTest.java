package io.converge.ledger.cli;

import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.ServerSettings;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.cli.Cli.at;
import static io.converge.ledger.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command against a real ledger on loopback, run in this JVM as a user would type it. */
class CliCommandsTest {
    static final long DEADLINE_SECONDS = 10;

    @TempDir
    Path dir;
    private LedgerServer server;
    private LedgerServer other;

    static LedgerServer serve(ServerSettings settings) throws IOException {
        return LedgerServer.start(NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), settings);
    }

    @BeforeEach
    void start() throws IOException {
        server = serve(ServerSettings.defaults().withMetricsPort(0).withGetResponseCapBytes(16 * 1024));
    }

    @AfterEach
    void stop() {
        server.close();
        if (other != null) {
            other.close();
        }
    }

    private Cli.Run ok(String... args) {
        Cli.Run run = run(at(server.port(), args));
        assertEquals(0, run.status(), run.toString());
        return run;
    }

    @Test
    void appendPrintsTheStoredEntryAndGetShowsItAsATableOrJsonLines() {
        Cli.Run appended = ok("append", "demo", "--key", "fact", "--meta", "source=cli", "--data", "hello\tworld");
        assertTrue(appended.lines().get(0).startsWith("SEQ"), appended.toString());
        assertTrue(appended.lines().get(1).matches("1\\s+\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\\s+fact\\s+hello\\\\tworld"
            + "\\s+\\{source=cli}"), appended.lines().get(1));
        assertTrue(appended.lines().get(2).startsWith("id "), appended.toString());

        Cli.Run table = ok("get", "demo");
        assertEquals(2, table.lines().size(), table.toString());
        assertTrue(table.stderr().contains("1 entries; latest sequence 1"), table.toString());

        Cli.Run json = ok("get", "demo", "--json");
        String line = json.lines().get(0);
        assertTrue(line.startsWith("{\"context\":\"demo\",\"sequence\":1,\"id\":\""), line);
        assertTrue(line.contains("\"key\":\"fact\""), line);
        assertTrue(line.contains("\"metadata\":{\"source\":\"cli\"}"), line);
        assertTrue(line.endsWith("\"payload\":\"hello\\tworld\",\"payload_encoding\":\"utf-8\"}"), line);
    }

    @Test
    void aBinaryPayloadIsShownAsBase64AndRawWritesItsBytes() throws IOException {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 10};
        Path file = dir.resolve("bin");
        Files.write(file, bytes);
        ok("append", "bin", "--file", file.toString());
        Cli.Run fromStdin = Cli.runWithStdin("from stdin".getBytes(StandardCharsets.UTF_8),
            at(server.port(), "append", "bin", "-", "--json"));
        assertEquals(0, fromStdin.status(), fromStdin.toString());
        assertTrue(fromStdin.stdout().contains("\"sequence\":2"), fromStdin.toString());
        assertTrue(fromStdin.stdout().contains("\"payload\":\"from stdin\""), fromStdin.toString());

        Cli.Run json = ok("get", "bin", "--json", "--limit", "1");
        assertTrue(json.stdout().contains("\"payload\":\"AAEC/wo=\",\"payload_encoding\":\"base64\""), json.stdout());
        Cli.Run table = ok("get", "bin", "--limit", "1");
        assertTrue(table.stdout().contains("base64:AAEC/wo="), table.stdout());
        Cli.Run raw = ok("get", "bin", "--raw");
        byte[] expected = new byte[bytes.length + "from stdin".length()];
        System.arraycopy(bytes, 0, expected, 0, bytes.length);
        System.arraycopy("from stdin".getBytes(StandardCharsets.UTF_8), 0, expected, bytes.length, 10);
        assertArrayEquals(expected, raw.raw().toByteArray());
        assertEquals("", raw.stdout());
    }

    @Test
    void getReadsOnePageUnlessAllPagesOnThroughHasMore() {
        String payload = "x".repeat(1000);
        for (int i = 0; i < 40; i++) {
            ok("append", "paged", "--data", payload + i);
        }
        Cli.Run page = ok("get", "paged", "--json");
        int first = page.lines().size();
        assertTrue(first > 0 && first < 40, "the 16 KiB cap cuts the first page: " + first);
        assertTrue(page.stderr().contains("more after " + first + ": --after " + first + ", or --all"), page.stderr());

        Cli.Run all = ok("get", "paged", "--json", "--all");
        assertEquals(40, all.lines().size());
        for (int i = 0; i < 40; i++) {
            assertTrue(all.lines().get(i).contains("\"sequence\":" + (i + 1) + ","), all.lines().get(i));
        }
        Cli.Run some = ok("get", "paged", "--json", "--all", "--after", "5", "--limit", "30");
        assertEquals(30, some.lines().size());
        assertTrue(some.lines().get(0).contains("\"sequence\":6,"));
        assertTrue(some.lines().get(29).contains("\"sequence\":35,"));
    }

    @Test
    void seqPrintsTheLatestSequenceAndAnUnknownContextReadsAsEmpty() {
        assertEquals("0", ok("seq", "nothing-here").stdout().strip());
        Cli.Run empty = ok("get", "nothing-here");
        assertEquals("", empty.stdout());
        assertTrue(empty.stderr().contains("context nothing-here has no entries (never written)"), empty.stderr());
        ok("append", "counted", "--data", "a");
        ok("append", "counted", "--data", "b");
        assertEquals("2", ok("seq", "counted").stdout().strip());
        assertEquals("{\"context\":\"counted\",\"latest_sequence\":2}", ok("seq", "counted", "--json").stdout().strip());
    }

    @Test
    void aSnapshotLoadsIntoAnotherServerAndFailIfExistsRefusesASecondLoad() throws IOException {
        for (int i = 1; i <= 5; i++) {
            ok("append", "moving", "--key", "k" + i, "--data", "entry " + i);
        }
        Path blob = dir.resolve("moving.snap");
        Cli.Run snap = ok("snapshot", "moving", "-o", blob.toString());
        assertTrue(snap.stdout().contains("5 entries up to sequence 5"), snap.stdout());
        assertTrue(Files.size(blob) > 0);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(blob), files.toList(), "no partial file is left");
        }

        other = serve(ServerSettings.defaults());
        Cli.Run load = run(at(other.port(), "load", "moved", "-i", blob.toString(), "--fail-if-exists", "--json"));
        assertEquals(0, load.status(), load.toString());
        assertTrue(load.stdout().contains("\"entries_restored\":5,\"latest_sequence\":5"), load.stdout());
        Cli.Run copied = run(at(other.port(), "get", "moved", "--json"));
        Cli.Run original = ok("get", "moving", "--json");
        String noIds = "\"id\":\"[^\"]*\",";
        assertEquals(original.stdout().replace("\"context\":\"moving\"", "\"context\":\"moved\"").replaceAll(noIds, ""),
            copied.stdout().replaceAll(noIds, ""), "the same entries; a Load gives them fresh ids");

        Cli.Run again = run(at(other.port(), "load", "moved", "-i", blob.toString(), "--fail-if-exists"));
        assertEquals(ExitCodes.GRPC_BASE + 6, again.status(), again.toString());
        assertTrue(again.stderr().startsWith("converge-ledger: ALREADY_EXISTS: "), again.stderr());
        assertEquals(1, again.stderr().strip().lines().count(), "one line");
    }

    @Test
    void watchPrintsTheStoredEntriesSaysWhenCaughtUpAndFollowsNewOnes() throws Exception {
        ok("append", "live", "--data", "one");
        ok("append", "live", "--data", "two");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Cli.Run> watching = CompletableFuture.supplyAsync(() -> Cli.start(new byte[0], out, err,
            at(server.port(), "watch", "live", "--count", "3")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!err.toString().contains("caught up") && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertTrue(err.toString().contains("-- caught up at sequence 2; following new entries"), err.toString());
        ok("append", "live", "--data", "three");
        Cli.Run run = watching.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, run.status(), run.toString());
        assertEquals(4, run.lines().size(), run.toString());
        assertTrue(run.lines().get(3).contains("three"), run.toString());

        Cli.Run nothingStored = run(at(server.port(), "watch", "quiet", "--count", "1", "--timeout", "300ms"));
        assertTrue(nothingStored.stderr().contains("-- caught up: no stored entries after sequence 0"),
            nothingStored.toString());
        assertEquals(ExitCodes.GRPC_BASE + 4, nothingStored.status(), "an explicit --timeout bounds a watch");
    }

    @Test
    void helpListsTheCommandsAndACompletionScriptIsGenerated() {
        Cli.Run help = run("--help");
        assertEquals(0, help.status(), help.toString());
        for (String command : List.of("append", "get", "watch", "seq", "snapshot", "load", "health", "stats")) {
            assertTrue(help.stdout().contains("  " + command + " "), command + " in " + help.stdout());
        }
        assertTrue(help.stdout().contains("Exit status:"), help.stdout());
        Cli.Run completion = run("generate-completion");
        assertEquals(0, completion.status(), completion.toString());
        assertTrue(completion.stdout().contains("complete -F"), "a bash completion script");
    }

    @Test
    void healthSaysServing() {
        assertEquals("127.0.0.1:" + server.port() + ": SERVING", ok("health").stdout().strip());
        assertTrue(ok("health", "--json").stdout().contains("\"status\":\"SERVING\""));
    }

    @Test
    void statsShowsTheMainMetersOrSaysMetricsAreOff() throws IOException {
        ok("append", "metered", "--data", "a");
        Cli.Run stats = ok("stats", "--metrics-port", Integer.toString(server.metricsPort()));
        assertTrue(stats.stdout().contains("ledger_appends_total"), stats.stdout());
        assertTrue(stats.stdout().contains("ledger_grpc_calls_total{method=\"converge.context.v1.ContextService/Append\""),
            stats.stdout());
        Cli.Run json = ok("stats", "--json", "--metrics-port", Integer.toString(server.metricsPort()));
        assertTrue(json.stdout().contains("{\"name\":\"ledger_appends_total\",\"labels\":{},\"value\":1.0}"),
            json.stdout());

        Cli.Run unknown = run(at(server.port(), "stats"));
        assertEquals(ExitCodes.METRICS_OFF, unknown.status(), unknown.toString());
        assertTrue(unknown.stderr().startsWith("converge-ledger: metrics are off"), unknown.stderr());
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Cli.Run nobody = run(at(server.port(), "stats", "--metrics-port", Integer.toString(closed)));
        assertEquals(ExitCodes.METRICS_OFF, nobody.status(), nobody.toString());
        assertTrue(nobody.stderr().contains("metrics are off: nothing answers at http://127.0.0.1:" + closed),
            nobody.stderr());
    }

    @Test
    void eachFailureIsOneLineAndItsOwnExitStatus() throws IOException {
        Cli.Run unknownHost = run("seq", "x", "--target", "no-such-host.invalid:50051", "--timeout", "5s");
        assertEquals(ExitCodes.GRPC_BASE + 14, unknownHost.status(), unknownHost.toString());
        assertTrue(unknownHost.stderr().startsWith("converge-ledger: UNAVAILABLE: "), unknownHost.stderr());
        assertEquals(1, unknownHost.stderr().strip().lines().count(), unknownHost.stderr());

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Cli.Run refused = run(at(closed, "get", "x"));
        assertEquals(24, refused.status(), refused.toString());

        Cli.Run missingFile = run(at(server.port(), "append", "x", "--file", dir.resolve("absent").toString()));
        assertEquals(ExitCodes.FILE, missingFile.status(), missingFile.toString());
        assertTrue(missingFile.stderr().contains("no such file"), missingFile.stderr());

        Cli.Run missingBlob = run(at(server.port(), "load", "x", "-i", dir.resolve("absent").toString()));
        assertEquals(ExitCodes.FILE, missingBlob.status(), missingBlob.toString());

        Path garbage = dir.resolve("garbage.snap");
        Files.writeString(garbage, "this is not a snapshot");
        Cli.Run bad = run(at(server.port(), "load", "x", "-i", garbage.toString()));
        assertEquals(ExitCodes.GRPC_BASE + 3, bad.status(), bad.toString());
        assertTrue(bad.stderr().startsWith("converge-ledger: INVALID_ARGUMENT: "), bad.stderr());

        assertEquals(ExitCodes.USAGE, run(at(server.port(), "append", "x")).status(), "no payload");
        assertEquals(ExitCodes.USAGE, run(at(server.port(), "get", "x", "--timeout", "soon")).status());
        assertEquals(ExitCodes.USAGE, run("frobnicate").status());
        Cli.Run tooBig = run(at(server.port(), "append", "x", "--data", "y".repeat(4 * 1024 * 1024 + 1)));
        assertEquals(ExitCodes.GRPC_BASE + 8, tooBig.status(), tooBig.stderr());
        assertTrue(tooBig.stderr().startsWith("converge-ledger: RESOURCE_EXHAUSTED: payload is 4194305 bytes"));
    }
}
