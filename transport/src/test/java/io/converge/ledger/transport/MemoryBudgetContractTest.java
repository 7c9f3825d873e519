package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.Entry;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.context.v1.WatchRequest;
import io.converge.ledger.core.LedgerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Bad input": when the server's memory budget for entries is spent, Append
 * (and Load) answer RESOURCE_EXHAUSTED saying so, change nothing, and what is stored
 * stays readable.
 */
@ParameterizedClass
@EnumSource(Transport.class)
class MemoryBudgetContractTest extends ServedOverBothTransports {
    private static final long BUDGET = 64 * 1024;

    private List<Entry> stored;

    @Override
    ServerSettings settings() {
        return ServerSettings.defaults().withLedger(LedgerConfig.defaults().withMemoryBudgetBytes(BUDGET));
    }

    @BeforeEach
    void spendTheBudget() {
        stored = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            try {
                stored.add(append(fixture.blocking(), "ctx", "k", bytes(1024, i), Map.of("i", "" + i)));
            } catch (StatusRuntimeException e) {
                ContractSupport.assertStatus(Status.Code.RESOURCE_EXHAUSTED, "memory budget", e.getStatus());
                break;
            }
        }
        assertTrue(stored.size() > 10 && stored.size() < 1000, stored.size() + " entries fit a 64 KiB budget");
    }

    /** Larger than the entry the budget refused in setup, so it cannot fit what is left. */
    private AppendRequest fourKiB(String contextId) {
        return AppendRequest.newBuilder()
            .setContextId(contextId).setKey("k").setPayload(ByteString.copyFrom(bytes(4096, 7))).build();
    }

    @Test
    void anAppendBeyondTheBudgetIsResourceExhaustedSayingSoAndChangesNothing() {
        long storedBefore = fixture.server.ledger().stats().entriesStored();
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "memory budget",
            () -> fixture.blocking().append(fourKiB("ctx")));
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "memory budget",
            () -> fixture.blocking().append(fourKiB("another")));
        assertEquals(stored, readAll(fixture, "ctx"));
        assertEquals(0, latest(fixture, "another"), "no context came into being");
        assertEquals(storedBefore, fixture.server.ledger().stats().entriesStored());
    }

    @Test
    void whatIsStoredStaysReadableThroughGetSnapshotAndWatch() throws Exception {
        assertEquals(stored, readAll(fixture, "ctx"));
        SnapshotResponse s = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("ctx").build());
        assertEquals(stored.size(), s.getMetadata().getEntryCount());
        WatchRecorder w = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("ctx").build(), w);
        assertEquals(stored, w.awaitEntries(stored.size()));
    }

    @Test
    void aLoadBeyondTheBudgetIsResourceExhaustedSayingSoAndChangesNothing() {
        SnapshotResponse s = fixture.blocking().snapshot(SnapshotRequest.newBuilder().setContextId("ctx").build());
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "memory budget", () -> fixture.blocking().load(
            LoadRequest.newBuilder().setContextId("copy").setSnapshot(s.getSnapshot()).build()));
        assertEquals(0, latest(fixture, "copy"), "nothing of the snapshot was restored");
        assertEquals(stored, readAll(fixture, "ctx"));
    }

    @Test
    void aBatchBeyondTheBudgetIsRefusedWholeSayingSoAndChangesNothing() {
        long storedBefore = fixture.server.ledger().stats().entriesStored();
        AppendBatchRequest batch = AppendBatchRequest.newBuilder()
            .addEntries(AppendRequest.newBuilder().setContextId("another").setKey("k"))
            .addEntries(fourKiB("ctx"))
            .build();
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "memory budget", () -> fixture.blocking().appendBatch(batch));
        assertEquals(stored, readAll(fixture, "ctx"));
        assertEquals(0, latest(fixture, "another"), "not even the small entry of the batch was stored");
        assertEquals(storedBefore, fixture.server.ledger().stats().entriesStored());
    }

    @Test
    void aStreamBatchBeyondTheBudgetEndsTheStreamSayingSoAndNothingAfterItIsStored() throws Exception {
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        stream.send(AppendBatchRequest.newBuilder().addEntries(fourKiB("ctx")).build());
        stream.send(AppendBatchRequest.newBuilder()
            .addEntries(AppendRequest.newBuilder().setContextId("another").setKey("k")).build());

        ContractSupport.assertStatus(Status.Code.RESOURCE_EXHAUSTED, "memory budget", stream.awaitEnd());
        assertEquals(0, stream.responses().size());
        assertEquals(stored, readAll(fixture, "ctx"));
        assertEquals(0, latest(fixture, "another"), "the batch after the refused one was not stored, though it fits");
    }
}
