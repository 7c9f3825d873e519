package io.converge.ledger.cli;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the CLI in this JVM as {@code converge-ledger ARGS} would, and keeps what it printed. */
final class Cli {
    private Cli() {
    }

    /** What a run printed and its exit status. The writers are synchronized: a test may read them while it runs. */
    record Run(int status, StringWriter out, StringWriter err, ByteArrayOutputStream raw) {
        String stdout() {
            return out.toString();
        }

        String stderr() {
            return err.toString();
        }

        List<String> lines() {
            return stdout().isEmpty() ? List.of() : Arrays.asList(stdout().split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- out ---\n" + stdout() + "--- err ---\n" + stderr();
        }
    }

    static Run run(String... args) {
        return runWithStdin(new byte[0], args);
    }

    static Run runWithStdin(byte[] stdin, String... args) {
        return start(stdin, new StringWriter(), new StringWriter(), args);
    }

    /** Runs with the given writers, so that another thread can watch them fill. */
    static Run start(byte[] stdin, StringWriter out, StringWriter err, String... args) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        CommandLine cli = LedgerCli.commandLine(raw, new ByteArrayInputStream(stdin));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args);
        return new Run(status, out, err, raw);
    }

    /** {@code args} followed by {@code --target 127.0.0.1:PORT}. */
    static String[] at(int port, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--target");
        all.add("127.0.0.1:" + port);
        return all.toArray(new String[0]);
    }

    static String utf8(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
