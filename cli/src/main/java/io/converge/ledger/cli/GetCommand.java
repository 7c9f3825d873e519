package io.converge.ledger.cli;

import io.converge.ledger.cli.client.EntryPages;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "get", description = {"Prints the entries of CONTEXT after a sequence, in order.",
    "One Get answers at most 4 MiB; --all reads page after page to the end."})
final class GetCommand extends LedgerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    @Option(names = "--key", paramLabel = "K", description = "only entries with this key")
    String key = "";

    @Option(names = "--after", paramLabel = "N", description = "only entries after sequence N (default 0: from the start)")
    long after;

    @Option(names = "--limit", paramLabel = "N", description = "at most N entries (default: no limit)")
    long limit;

    @Option(names = "--all", description = "page on while the server has more (has_more)")
    boolean all;

    @Option(names = "--raw", description = "print only the payloads' bytes, back to back")
    boolean raw;

    @Override
    public Integer call() {
        if (after < 0 || limit < 0) {
            throw new CliFailure(ExitCodes.USAGE, "--after and --limit take a number from 0");
        }
        EntryOutput output = new EntryOutput(EntryOutput.style(json, raw), out(), app.binaryOut, context);
        ManagedChannel channel = connection.open();
        try {
            EntryPages.Summary summary = new EntryPages(blocking(channel, DEFAULT_TIMEOUT))
                .read(context, key, after, limit, all, output::print);
            if (summary.entries() == 0) {
                err().println(summary.latestSequence() == 0 ? "context " + context + " has no entries (never written)"
                    : "no entries" + (key.isEmpty() ? "" : " with key " + key) + " after sequence " + after
                    + "; the latest is " + summary.latestSequence());
            } else {
                err().println(summary.entries() + " entries; latest sequence " + summary.latestSequence()
                    + (summary.hasMore() ? "; more after " + summary.lastSequence() + ": --after "
                    + summary.lastSequence() + ", or --all" : ""));
            }
            return ExitCodes.OK;
        } finally {
            Connection.close(channel);
        }
    }
}
