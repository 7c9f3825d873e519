package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The stand-in the server serves while the ledger recovers: every rpc answers UNAVAILABLE, saying why. */
class RefusingTest {
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void everyRpcOfTheServiceIsAnsweredWithTheStatusAtOnce() throws IOException {
        String name = InProcessServerBuilder.generateName();
        Status recovering = Status.UNAVAILABLE.withDescription("the ledger is recovering");
        server = InProcessServerBuilder.forName(name)
            .addService(Refusing.every(ContextServiceGrpc.getServiceDescriptor(), recovering))
            .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        var stub = ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

        StatusRuntimeException append = assertThrows(StatusRuntimeException.class,
            () -> stub.append(AppendRequest.newBuilder().setContextId("c").build()));
        StatusRuntimeException get = assertThrows(StatusRuntimeException.class,
            () -> stub.get(GetRequest.newBuilder().setContextId("c").build()));
        StatusRuntimeException watch = assertThrows(StatusRuntimeException.class,
            () -> stub.watch(WatchRequest.newBuilder().setContextId("c").build()).hasNext());

        for (StatusRuntimeException e : new StatusRuntimeException[] {append, get, watch}) {
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertEquals("the ledger is recovering", e.getStatus().getDescription());
        }
    }
}
