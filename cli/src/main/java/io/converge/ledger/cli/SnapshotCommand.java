package io.converge.ledger.cli;

import io.converge.ledger.cli.client.SnapshotTransfer;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "snapshot", description = {"Writes a snapshot of CONTEXT to FILE, a blob that load takes.",
    "Streamed in chunks (SnapshotChunks); from a server without them, one Snapshot with a raised inbound limit."})
final class SnapshotCommand extends LedgerCommand implements Callable<Integer> {
    static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(10);

    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
        description = "where to write the blob (\"-\": standard output); written whole or not at all")
    String output;

    @Override
    public Integer call() throws IOException {
        ManagedChannel channel = connection.open();
        try {
            SnapshotTransfer transfer = new SnapshotTransfer(channel, connection.deadlineNanos(TRANSFER_TIMEOUT));
            SnapshotTransfer.Taken taken;
            if (output.equals("-")) {
                taken = transfer.snapshot(context, app.binaryOut);
                app.binaryOut.flush();
            } else {
                Path target = Path.of(output).toAbsolutePath();
                Path partial = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".partial");
                try {
                    try (OutputStream out = Files.newOutputStream(partial)) {
                        taken = transfer.snapshot(context, out);
                    }
                    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
            String mode = taken.mode() == SnapshotTransfer.Mode.CHUNKS ? "chunks" : "unary";
            if (json) {
                (output.equals("-") ? err() : out()).println(new Json().field("context", context).field("file", output)
                    .field("bytes", taken.bytes()).field("sequence", taken.sequence())
                    .field("entries", taken.metadata().getEntryCount()).field("version", taken.metadata().getVersion())
                    .field("created_at_ns", taken.metadata().getCreatedAtNs()).field("transfer", mode).toString());
            } else {
                (output.equals("-") ? err() : out()).println("snapshot of " + context + ": "
                    + taken.metadata().getEntryCount() + " entries up to sequence " + taken.sequence() + ", "
                    + taken.bytes() + " bytes -> " + output + " (" + (mode.equals("chunks") ? "streamed in chunks"
                    : "one unary Snapshot: this server has no SnapshotChunks") + ")");
            }
            return ExitCodes.OK;
        } finally {
            Connection.close(channel);
        }
    }
}
