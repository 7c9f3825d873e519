package io.converge.ledger.cli;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.Channel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What every command has: the connection options, {@code --json}, and the streams to print to. */
abstract class LedgerCommand {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    Connection connection;

    @Option(names = "--json", description = "print JSON lines instead of a table")
    boolean json;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LedgerCli app;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A blocking stub whose every call has the deadline of {@code --timeout} (else {@code fallback}; null: none). */
    ContextServiceGrpc.ContextServiceBlockingStub blocking(Channel channel, Duration fallback) {
        ContextServiceGrpc.ContextServiceBlockingStub stub = ContextServiceGrpc.newBlockingStub(channel);
        long nanos = connection.deadlineNanos(fallback);
        return nanos > 0 ? stub.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS) : stub;
    }
}
