package io.converge.ledger.cli;

import io.converge.ledger.cli.client.EntryPages;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "seq", description = "Prints the latest sequence of CONTEXT (0: never written).")
final class SeqCommand extends LedgerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    @Override
    public Integer call() {
        ManagedChannel channel = connection.open();
        try {
            long latest = new EntryPages(blocking(channel, DEFAULT_TIMEOUT)).latestSequence(context);
            out().println(json ? new Json().field("context", context).field("latest_sequence", latest).toString()
                : Long.toString(latest));
            return ExitCodes.OK;
        } finally {
            Connection.close(channel);
        }
    }
}
