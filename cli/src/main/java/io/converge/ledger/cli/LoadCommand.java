package io.converge.ledger.cli;

import io.converge.ledger.cli.client.SnapshotTransfer;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "load", description = {"Loads a snapshot blob from FILE into CONTEXT (any context, on any server).",
    "Streamed in chunks (LoadChunks); to a server without them, one Load."})
final class LoadCommand extends LedgerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", required = true, description = "the blob snapshot wrote")
    Path input;

    @Option(names = "--fail-if-exists", description = "refuse (ALREADY_EXISTS) when CONTEXT already has entries")
    boolean failIfExists;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.isRegularFile(input) || !Files.isReadable(input)) {
            throw new CliFailure(ExitCodes.FILE, "cannot read " + input + ": not a readable file");
        }
        ManagedChannel channel = connection.open();
        try {
            SnapshotTransfer.Loaded loaded = new SnapshotTransfer(channel,
                connection.deadlineNanos(SnapshotCommand.TRANSFER_TIMEOUT)).load(context, input, failIfExists);
            String mode = loaded.mode() == SnapshotTransfer.Mode.CHUNKS ? "chunks" : "unary";
            if (json) {
                out().println(new Json().field("context", context).field("file", input.toString())
                    .field("bytes", loaded.bytes()).field("entries_restored", loaded.response().getEntriesRestored())
                    .field("latest_sequence", loaded.response().getLatestSequence()).field("transfer", mode).toString());
            } else {
                out().println("loaded " + loaded.response().getEntriesRestored() + " entries into " + context
                    + "; its latest sequence is " + loaded.response().getLatestSequence() + " (" + loaded.bytes()
                    + " bytes, " + (mode.equals("chunks") ? "streamed in chunks"
                    : "one unary Load: this server has no LoadChunks") + ")");
            }
            return ExitCodes.OK;
        } finally {
            Connection.close(channel);
        }
    }
}
