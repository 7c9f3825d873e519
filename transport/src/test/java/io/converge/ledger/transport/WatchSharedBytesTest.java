package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.WatchRequest;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.MAX_PAYLOAD;
import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, row 5: 800 stalled watchers, then entries of 4 MiB, over Netty. Each entry is
 * encoded once and shared, so the heap holds one copy, not 800; the bytes handed to the
 * transport for watchers stay within the watch-bytes budget (the stalled ones wait, they
 * are not failed); a healthy watcher on its own connection gets every entry; no watcher is
 * left open once its client is gone.
 */
class WatchSharedBytesTest {
    private static final int STALLED = 800;
    private static final int STALLED_CHANNELS = 4;
    private static final long LIMIT = 128L << 20;
    private static final long PER_CONNECTION = 16L << 20;

    @TempDir
    Path tempDir;

    @Test
    void eightHundredStalledWatchersOfA4MiBEntryShareOneEncodingAndStayWithinTheBudget() throws Exception {
        WatchBytesBudget budget = new WatchBytesBudget(LIMIT, PER_CONNECTION);
        try (LedgerFixture f = LedgerFixture.start(Transport.NETTY, ServerSettings.defaults(), budget)) {
            WatchRecorder healthy = WatchRecorder.automatic();
            f.async().watch(WatchRequest.newBuilder().setContextId("big").build(), healthy);
            List<ManagedChannel> channels = new ArrayList<>();
            for (int c = 0; c < STALLED_CHANNELS; c++) {
                channels.add(f.openChannelWithFixedWindow(64 * 1024));
            }
            for (int w = 0; w < STALLED; w++) {
                ContextServiceGrpc.newStub(channels.get(w % STALLED_CHANNELS))
                    .watch(WatchRequest.newBuilder().setContextId("big").build(), WatchRecorder.manual(0));
            }
            await("every watch registered", 30, () -> f.server.ledger().stats().watchersOpen() == STALLED + 1);
            long heapBefore = usedHeapAfterGc();

            List<Entry> appended = new ArrayList<>();
            appended.add(append(f.blocking(), "big", "k", bytes(MAX_PAYLOAD, 0), Map.of()));
            assertEquals(appended, healthy.awaitEntries(1));
            await("the stalled watchers were served as far as the budget allows", 30,
                () -> budget.refusals() > 0 && budget.inFlight() >= STALLED_CHANNELS * (PER_CONNECTION / 2));
            long heapHeld = usedHeapAfterGc() - heapBefore;
            assertEquals(1, f.server.watches().encoded().encodings(), "801 watchers, one encoding");
            // The server holds one encoded copy, shared; the rest of what grew is this JVM's
            // client side (the request built, the ack and the healthy watcher's entry kept,
            // buffer pools). 800 server copies would be 3.2 GB.
            System.out.println("heap held after 801 watchers of one 4 MiB entry: " + (heapHeld >> 20) + " MiB");
            assertTrue(heapHeld < 16L * MAX_PAYLOAD, (heapHeld >> 20) + " MiB more on the heap for one 4 MiB entry");

            for (int i = 1; i < 8; i++) {
                appended.add(append(f.blocking(), "big", "k", bytes(MAX_PAYLOAD, i), Map.of()));
            }
            assertEquals(appended, healthy.awaitEntries(appended.size()),
                "a healthy watcher on its own connection gets every entry while 800 others stall");
            // Room is asked before a send and the charge taken after it, so the watch threads
            // that passed the check at once may each overshoot by one message.
            long message = appended.get(0).getSerializedSize() + 16;
            int watchThreads = ServerSettings.defaults().ledger().watchThreads();
            assertTrue(budget.peak() <= LIMIT + watchThreads * message,
                "at most " + LIMIT + " bytes in flight (and a message per watch thread), peak " + budget.peak());

            for (ManagedChannel c : channels) {
                c.shutdownNow();
                assertTrue(c.awaitTermination(10, TimeUnit.SECONDS));
            }
            await("the stalled watchers are freed once their clients are gone (open: "
                + f.server.watches().open() + ")", 30, () -> f.server.watches().open() == 1
                && f.server.ledger().stats().watchersOpen() == 1);
            await("their bytes are released", 10, () -> budget.inFlight() == 0 && budget.connections() == 1);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
