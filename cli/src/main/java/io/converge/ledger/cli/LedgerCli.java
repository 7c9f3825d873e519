package io.converge.ledger.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * {@code converge-ledger}, the ledger's command-line client. Each command prints a human table
 * by default and JSON lines with {@code --json}; each failure is one line on standard error and
 * an exit status of {@link ExitCodes}.
 */
@Command(name = "converge-ledger", mixinStandardHelpOptions = true, version = "converge-ledger 0.1.0",
    description = "Reads, writes, follows and moves the contexts of a Converge Ledger server.",
    subcommands = {AppendCommand.class, GetCommand.class, WatchCommand.class, SeqCommand.class,
        SnapshotCommand.class, LoadCommand.class, HealthCommand.class, StatsCommand.class,
        CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
    footer = {"", "Exit status: 0 done, 2 bad usage, 3 a local file, 4 not serving (health), 5 no metrics (stats),",
        "10 + the gRPC status code when a call fails (14 DEADLINE_EXCEEDED, 16 ALREADY_EXISTS,",
        "17 PERMISSION_DENIED, 24 UNAVAILABLE, 26 UNAUTHENTICATED, ...), 1 a bug. See docs/CLI.md."})
public final class LedgerCli implements Runnable {
    /** Where raw payloads and snapshot blobs written to "-" go. */
    final OutputStream binaryOut;
    /** Where {@code append -} and nothing else reads. */
    final InputStream stdin;

    LedgerCli(OutputStream binaryOut, InputStream stdin) {
        this.binaryOut = binaryOut;
        this.stdin = stdin;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: append, get, watch, seq, "
            + "snapshot, load, health, stats (or --help)");
    }

    /** The command line over the given streams; tests set its out and err writers. */
    static CommandLine commandLine(OutputStream binaryOut, InputStream stdin) {
        CommandLine cli = new CommandLine(new LedgerCli(binaryOut, stdin));
        cli.setExecutionExceptionHandler((e, command, parsed) -> report(e, command.getErr()));
        return cli;
    }

    public static void main(String[] args) {
        CommandLine cli = commandLine(System.out, System.in);
        int status = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(status);
    }

    /** Prints one line for {@code e} and answers its exit status. */
    static int report(Exception e, PrintWriter err) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        int code;
        String message;
        if (t instanceof CliFailure f) {
            code = f.exitCode();
            message = f.getMessage();
        } else if (t instanceof StatusRuntimeException s) {
            code = ExitCodes.of(s.getStatus().getCode());
            message = describe(s.getStatus());
        } else if (t instanceof NoSuchFileException n) {
            code = ExitCodes.FILE;
            message = "no such file: " + n.getFile();
        } else if (t instanceof AccessDeniedException a) {
            code = ExitCodes.FILE;
            message = "not allowed to use the file " + a.getFile();
        } else if (t instanceof IOException io) {
            code = ExitCodes.FILE;
            message = "file: " + io;
        } else {
            err.println("converge-ledger: the CLI failed (a bug):");
            e.printStackTrace(err);
            err.flush();
            return ExitCodes.SOFTWARE;
        }
        err.println("converge-ledger: " + message);
        err.flush();
        return code;
    }

    /** One line for a status: its code, the server's description (or the cause) and a hint. */
    static String describe(Status status) {
        String detail = status.getDescription();
        if (status.getCause() != null) {
            String cause = status.getCause().getMessage();
            detail = detail == null ? cause : detail + " (" + cause + ")";
        }
        String hint = switch (status.getCode()) {
            case UNAVAILABLE -> "; is the server running there, and does --tls match it?";
            case UNAUTHENTICATED -> "; give a token with --token or LEDGER_TOKEN";
            case DEADLINE_EXCEEDED -> "; raise --timeout";
            default -> "";
        };
        return status.getCode() + ": " + (detail == null ? "(no detail)" : detail) + hint;
    }
}
