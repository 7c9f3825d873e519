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
import io.converge.ledger.core.StorageConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

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
@MethodSource(ServedOverBothTransports.SERVERS)
class MemoryBudgetContractTest extends ServedOverBothTransports {
    /** With records in memory: the memory budget, which counts them. */
    private static final long MEMORY_BUDGET = 64 * 1024;
    /** With records in files: the disk budget, one segment of files. */
    private static final long DISK_BUDGET = StorageConfig.MIN_SEGMENT_BYTES;

    private List<Entry> stored;

    @Override
    ServerSettings settings() {
        LedgerConfig ledger = storage == Storage.MEMORY
            ? LedgerConfig.defaults().withMemoryBudgetBytes(MEMORY_BUDGET)
            : LedgerConfig.defaults().withStorage(StorageConfig.memory().withDiskBudgetBytes(DISK_BUDGET));
        return ServerSettings.defaults().withLedger(ledger);
    }

    /** What the refusal names: the budget the records count against. */
    private String budget() {
        return storage == Storage.MEMORY ? "memory budget" : "disk budget";
    }

    /** The payload of the entries that spend the budget: about 1/64 of it. */
    private int unit() {
        return storage == Storage.MEMORY ? 1024 : 128 * 1024;
    }

    @BeforeEach
    void spendTheBudget() {
        stored = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            try {
                stored.add(append(fixture.blocking(), "ctx", "k", bytes(unit(), i), Map.of("i", "" + i)));
            } catch (StatusRuntimeException e) {
                ContractSupport.assertStatus(Status.Code.RESOURCE_EXHAUSTED, budget(), e.getStatus());
                break;
            }
        }
        assertTrue(stored.size() > 10 && stored.size() < 1000, stored.size() + " entries fit the " + budget());
    }

    /** Larger than the entry the budget refused in setup, so it cannot fit what is left. */
    private AppendRequest larger(String contextId) {
        return AppendRequest.newBuilder()
            .setContextId(contextId).setKey("k").setPayload(ByteString.copyFrom(bytes(4 * unit(), 7))).build();
    }

    @Test
    void anAppendBeyondTheBudgetIsResourceExhaustedSayingSoAndChangesNothing() {
        long storedBefore = fixture.server.ledger().stats().entriesStored();
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, budget(),
            () -> fixture.blocking().append(larger("ctx")));
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, budget(),
            () -> fixture.blocking().append(larger("another")));
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
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, budget(), () -> fixture.blocking().load(
            LoadRequest.newBuilder().setContextId("copy").setSnapshot(s.getSnapshot()).build()));
        assertEquals(0, latest(fixture, "copy"), "nothing of the snapshot was restored");
        assertEquals(stored, readAll(fixture, "ctx"));
    }

    @Test
    void aBatchBeyondTheBudgetIsRefusedWholeSayingSoAndChangesNothing() {
        long storedBefore = fixture.server.ledger().stats().entriesStored();
        AppendBatchRequest batch = AppendBatchRequest.newBuilder()
            .addEntries(AppendRequest.newBuilder().setContextId("another").setKey("k"))
            .addEntries(larger("ctx"))
            .build();
        assertRejected(Status.Code.RESOURCE_EXHAUSTED, budget(), () -> fixture.blocking().appendBatch(batch));
        assertEquals(stored, readAll(fixture, "ctx"));
        assertEquals(0, latest(fixture, "another"), "not even the small entry of the batch was stored");
        assertEquals(storedBefore, fixture.server.ledger().stats().entriesStored());
    }

    @Test
    void aStreamBatchBeyondTheBudgetEndsTheStreamSayingSoAndNothingAfterItIsStored() throws Exception {
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        stream.send(AppendBatchRequest.newBuilder().addEntries(larger("ctx")).build());
        stream.send(AppendBatchRequest.newBuilder()
            .addEntries(AppendRequest.newBuilder().setContextId("another").setKey("k")).build());

        ContractSupport.assertStatus(Status.Code.RESOURCE_EXHAUSTED, budget(), stream.awaitEnd());
        assertEquals(0, stream.responses().size());
        assertEquals(stored, readAll(fixture, "ctx"));
        assertEquals(0, latest(fixture, "another"), "the batch after the refused one was not stored, though it fits");
    }
}
