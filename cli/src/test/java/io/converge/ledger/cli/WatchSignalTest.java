package io.converge.ledger.cli;

import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.ServerSettings;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code converge-ledger watch} in its own JVM, ended by a signal as Ctrl-C (or a kill) ends it. */
class WatchSignalTest {
    private static final int EXIT_ON_SIGTERM = 143;

    @Test
    void aWatchEndedByASignalSaysWhatItShowedAndExits() throws Exception {
        try (LedgerServer server = CliCommandsTest.serve(ServerSettings.defaults())) {
            Cli.run(Cli.at(server.port(), "append", "followed", "--data", "first"));
            Process watch = new ProcessBuilder(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp", System.getProperty("java.class.path"), LedgerCli.class.getName(),
                "watch", "followed", "--target", "127.0.0.1:" + server.port()).start();
            try {
                CompletableFuture<String> out = drain(watch.getInputStream());
                StringBuffer err = new StringBuffer();
                Thread errReader = new Thread(() -> {
                    try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = lines.readLine()) != null) {
                            err.append(line).append('\n');
                        }
                    } catch (IOException e) {
                        err.append(e);
                    }
                }, "watch-stderr");
                errReader.setDaemon(true);
                errReader.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!err.toString().contains("following new entries") && System.nanoTime() - deadline < 0) {
                    Thread.sleep(10);
                }
                assertTrue(err.toString().contains("-- caught up at sequence 1; following new entries"), err.toString());
                Cli.run(Cli.at(server.port(), "append", "followed", "--data", "second"));
                Thread.sleep(500); // nothing is asserted on timing: the entry may or may not be shown before the signal
                watch.toHandle().destroy();
                assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "the watch exits on SIGTERM");
                errReader.join(TimeUnit.SECONDS.toMillis(30));
                assertEquals(EXIT_ON_SIGTERM, watch.exitValue(), err.toString());
                String shown = out.get(30, TimeUnit.SECONDS);
                assertTrue(shown.contains("first"), shown);
                long rows = shown.lines().filter(l -> l.contains("first") || l.contains("second")).count();
                assertTrue(err.toString().contains("-- stopped after " + rows + " entries (last sequence " + rows + ")"),
                    err + "\n" + shown);
            } finally {
                watch.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
