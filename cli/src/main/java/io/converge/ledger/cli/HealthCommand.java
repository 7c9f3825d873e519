package io.converge.ledger.cli;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "health", description = "Asks the standard health service whether the server serves (exit 4 if not).")
final class HealthCommand extends LedgerCommand implements Callable<Integer> {
    @Option(names = "--service", paramLabel = "NAME",
        description = "one service, such as converge.context.v1.ContextService (default: the server as a whole)")
    String service = "";

    @Override
    public Integer call() {
        ManagedChannel channel = connection.open();
        try {
            HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(connection.deadlineNanos(DEFAULT_TIMEOUT), TimeUnit.NANOSECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
            out().println(json ? new Json().field("target", connection.target).field("service", service)
                .field("status", status.name()).toString() : connection.target + ": " + status.name());
            return status == HealthCheckResponse.ServingStatus.SERVING ? ExitCodes.OK : ExitCodes.NOT_SERVING;
        } finally {
            Connection.close(channel);
        }
    }
}
