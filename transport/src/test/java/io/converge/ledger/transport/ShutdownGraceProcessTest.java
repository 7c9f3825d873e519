package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, row 2, as an operator sees it: a server process with 200 watchers that read
 * nothing, and two that read, exits on SIGTERM within its shutdown grace
 * ({@code LEDGER_SHUTDOWN_GRACE_MS}) and a small margin, and no watcher's stream ends OK.
 */
class ShutdownGraceProcessTest {
    private static final long GRACE_MILLIS = 1_000;
    /** The JVM's own exit, the cut's bounded wait, and a loaded machine. */
    private static final long MARGIN_MILLIS = 6_000;

    @TempDir
    Path dataDir;

    @Test
    void sigtermWithStalledWatchersExitsWithinTheGraceAndNoWatchEndsOk() throws Exception {
        try (LedgerProcess server = LedgerProcess.start(dataDir,
            Map.of("LEDGER_SHUTDOWN_GRACE_MS", Long.toString(GRACE_MILLIS)))) {
            int port = server.awaitListening();
            List<ManagedChannel> stalledChannels = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                stalledChannels.add(NettyChannelBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                    .usePlaintext().flowControlWindow(64 * 1024).build());
            }
            try {
                WatchRequest request = WatchRequest.newBuilder().setContextId("ctx").build();
                List<WatchRecorder> stalled = new ArrayList<>();
                for (int w = 0; w < 200; w++) {
                    WatchRecorder r = WatchRecorder.manual(0);
                    ContextServiceGrpc.newStub(stalledChannels.get(w % 2)).watch(request, r);
                    stalled.add(r);
                }
                WatchRecorder reading = WatchRecorder.automatic();
                server.async().watch(request, reading);
                WatchBatchRecorder readingBatches = WatchBatchRecorder.automatic();
                server.async().watchBatches(request, readingBatches);
                for (int i = 0; i < 40; i++) {
                    ContractSupport.append(server.blocking(), "ctx", "k", bytes(32 * 1024, i), Map.of());
                }
                reading.awaitEntries(40);
                readingBatches.awaitEntries(40);

                long start = System.nanoTime();
                int exit = server.terminate();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("SIGTERM with 200 stalled watchers: exit " + exit + " after " + tookMillis + " ms");
                assertEquals(LedgerProcess.EXIT_ON_SIGTERM, exit, server.outputText());
                assertTrue(tookMillis < GRACE_MILLIS + MARGIN_MILLIS, "exit took " + tookMillis + " ms");

                Status end = reading.awaitEnd();
                assertEquals(Status.Code.UNAVAILABLE, end.getCode(), end.toString());
                assertEquals("the server is shutting down; resume after sequence 40", end.getDescription());
                assertEquals(Status.Code.UNAVAILABLE, readingBatches.awaitEnd().getCode());
                for (WatchRecorder r : stalled) {
                    r.request(Integer.MAX_VALUE);
                }
                for (WatchRecorder r : stalled) {
                    Status s = r.awaitEnd();
                    assertTrue(s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.CANCELLED,
                        "a stalled watch ends UNAVAILABLE, or CANCELLED when its stream was cut: " + s);
                    assertEquals(ContractSupport.oneTo(r.entries().size()), r.sequences());
                }
            } finally {
                for (ManagedChannel c : stalledChannels) {
                    c.shutdownNow();
                    c.awaitTermination(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
