package io.converge.ledger.transport;

import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tokens file in a forked server main: SIGHUP swaps its tokens in without dropping an open
 * Watch; a bad file on SIGHUP keeps the tokens in force; a bad file at start exits 2 naming the line.
 */
class TokenReloadProcessTest {
    private static final String OLD = "old-token-0123456789abcdef";
    private static final String NEW = "new-token-0123456789abcdef";

    @TempDir
    Path dir;

    private static ContextServiceGrpc.ContextServiceBlockingStub as(LedgerProcess server, String token)
        throws InterruptedException {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return server.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static Status.Code getAs(LedgerProcess server, String token) throws InterruptedException {
        try {
            as(server, token).get(GetRequest.newBuilder().setContextId("reload").build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void sighupReloadsTheTokensWithoutDroppingAnOpenWatch() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, OLD + " write\n");
        try (LedgerProcess server = LedgerProcess.start(dir.resolve("data"),
            Map.of("LEDGER_AUTH_TOKENS_FILE", tokens.toString()))) {
            server.awaitListening();
            // A process started with SIGHUP ignored (this build run under nohup) passes that on to its
            // children, and the JVM keeps it ignored; the server says so at start, and it is no test then.
            assumeTrue(server.outputText().contains("(SIGHUP reloads it)"),
                "this JVM was started with SIGHUP ignored (under nohup?): its children cannot get one");
            assertEquals(Status.Code.OK, getAs(server, OLD));
            assertEquals(Status.Code.UNAUTHENTICATED, getAs(server, NEW));

            LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + OLD);
            server.async().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .watch(WatchRequest.newBuilder().setContextId("reload").build(), new StreamObserver<>() {
                    @Override
                    public void onNext(WatchEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        events.add("completed");
                    }
                });
            as(server, OLD).append(AppendRequest.newBuilder().setContextId("reload").build());
            assertTrue(events.poll(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS) instanceof WatchEvent);

            Files.writeString(tokens, NEW + " write\n");
            server.signal("HUP");
            server.awaitLine(Pattern.compile("reloaded 1 tokens from"));
            assertEquals(Status.Code.UNAUTHENTICATED, getAs(server, OLD));
            assertEquals(Status.Code.OK, getAs(server, NEW));
            as(server, NEW).append(AppendRequest.newBuilder().setContextId("reload").build());
            Object second = events.poll(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
            assertNotNull(second, "the Watch opened with the old token goes on");
            assertEquals(2, ((WatchEvent) second).getEntry().getSequence(), String.valueOf(second));

            Files.writeString(tokens, NEW + " write\nshort admin\n");
            server.signal("HUP");
            server.awaitLine(Pattern.compile("kept the 1 tokens in force: .* line 2: the token has 5 characters"));
            assertEquals(Status.Code.OK, getAs(server, NEW));
            assertTrue(server.isAlive());
            assertFalse(server.outputText().contains(NEW), "a token is never printed");
        }
    }

    @Test
    void aBadTokensFileAtStartExitsTwoNamingTheLine() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, OLD + " write\n" + NEW + " owner\n");
        try (LedgerProcess server = LedgerProcess.start(dir.resolve("data"),
            Map.of("LEDGER_AUTH_TOKENS_FILE", tokens.toString()))) {
            assertEquals(2, server.awaitExit());
            assertTrue(server.outputText().contains("line 2: role \"owner\" is not one of read, write, admin"),
                server.outputText());
            assertFalse(server.outputText().contains(NEW));
        }
    }
}
