package io.converge.ledger.cli;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.Entry;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "append", description = "Appends one entry to CONTEXT and prints it as stored.")
final class AppendCommand extends LedgerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    @Parameters(index = "1", arity = "0..1", paramLabel = "STDIN",
        description = "\"-\": read the payload from standard input")
    String stdin;

    @Option(names = "--key", paramLabel = "K", description = "the entry's key")
    String key = "";

    @Option(names = "--meta", paramLabel = "K=V", description = "a metadata pair (repeatable)")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--data", paramLabel = "TEXT", description = "the payload, as UTF-8 text")
    String data;

    @Option(names = "--file", paramLabel = "F", description = "the payload: this file's bytes")
    Path file;

    @Option(names = "--raw", description = "print only the stored payload's bytes")
    boolean raw;

    @Override
    public Integer call() throws IOException {
        int sources = (data != null ? 1 : 0) + (file != null ? 1 : 0) + (stdin != null ? 1 : 0);
        if (stdin != null && !stdin.equals("-")) {
            throw new CliFailure(ExitCodes.USAGE, "append takes CONTEXT and at most \"-\" (standard input), not \""
                + stdin + "\"");
        }
        if (sources != 1) {
            throw new CliFailure(ExitCodes.USAGE, "give the payload one way: --data TEXT, --file F, or - (standard input)");
        }
        EntryOutput output = new EntryOutput(EntryOutput.style(json, raw), out(), app.binaryOut, context);
        ByteString payload = data != null ? ByteString.copyFrom(data, StandardCharsets.UTF_8)
            : file != null ? ByteString.copyFrom(Files.readAllBytes(file))
            : ByteString.readFrom(app.stdin);
        ManagedChannel channel = connection.open();
        try {
            Entry entry = blocking(channel, DEFAULT_TIMEOUT).append(AppendRequest.newBuilder().setContextId(context)
                .setKey(key).setPayload(payload).putAllMetadata(meta).build()).getEntry();
            output.print(entry);
            if (output.style() == EntryOutput.Style.TABLE) {
                out().println("id " + entry.getId());
            }
            return ExitCodes.OK;
        } finally {
            Connection.close(channel);
        }
    }
}
