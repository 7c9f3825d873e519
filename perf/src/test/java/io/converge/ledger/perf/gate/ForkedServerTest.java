package io.converge.ledger.perf.gate;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.ledger.transport.LedgerServerMain;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForkedServerTest {
    static final long DEADLINE_SECONDS = 10;

    @Test
    void aForkedLedgerAnswersAnAppendAndCloseLeavesNoLiveChild() throws Exception {
        ProcessHandle child;
        try (ForkedServer ledger = ForkedServer.start("ledger", LedgerServerMain.class.getName(), List.of(),
            Map.of("LEDGER_MODE", "ledger"))) {
            child = ledger.handle();
            assertAppendAnswered(ledger.awaitPort());
            assertTrue(ledger.lastOutput().contains("records: memory (")
                && ledger.lastOutput().contains("memory budget " + ForkedServer.MEMORY_BUDGET_BYTES), ledger.lastOutput());
        }
        assertFalse(child.isAlive(), "the child outlived close()");
    }

    @Test
    void aChildThatExitsAtStartIsAnErrorThatShowsItsOutput() throws Exception {
        ProcessHandle child;
        try (ForkedServer bad = ForkedServer.start("misconfigured", LedgerServerMain.class.getName(), List.of(),
            Map.of("LEDGER_MODE", "bogus"))) {
            child = bad.handle();
            IllegalStateException e = assertThrows(IllegalStateException.class, bad::awaitPort);
            assertTrue(e.getMessage().contains("exited with status 2 without listening"), e.getMessage());
            assertTrue(e.getMessage().contains("LEDGER_MODE=bogus is not one of ledger, noop-baseline"), e.getMessage());
        }
        assertFalse(child.isAlive());
    }

    /** Sends one Append to the server on {@code port} and checks that it is answered. */
    static void assertAppendAnswered(int port) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            ContextServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .append(AppendRequest.newBuilder().setContextId("forked")
                    .setPayload(ByteString.copyFromUtf8("hello")).build());
        } finally {
            channel.shutdownNow().awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS);
        }
    }
}
