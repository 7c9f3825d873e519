package io.converge.ledger.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A batch for {@link Ledger#appendBatch}, built entry by entry, and a callback that completes a
 * future. Public for the cluster module's tests (core's test-jar).
 */
public final class TestBatch implements BatchEntries {
    /** One entry as added. */
    public record Item(String contextId, String key, byte[] payload, Map<String, String> metadata) {
    }

    private final List<Item> items = new ArrayList<>();
    private int payloadCalls;

    public TestBatch add(String contextId, String key, byte[] payload, Map<String, String> metadata) {
        items.add(new Item(contextId, key, payload, metadata));
        return this;
    }

    TestBatch add(String contextId, String payload) {
        return add(contextId, "k", Bytes.utf8(payload), Map.of());
    }

    /** Entry {@code index} as added. */
    public Item item(int index) {
        return items.get(index);
    }

    /** How often the ledger materialised a payload: once per entry of an accepted batch. */
    int payloadCalls() {
        return payloadCalls;
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public String contextId(int index) {
        return items.get(index).contextId();
    }

    @Override
    public String key(int index) {
        return items.get(index).key();
    }

    @Override
    public int payloadLength(int index) {
        return items.get(index).payload().length;
    }

    @Override
    public byte[] payload(int index) {
        payloadCalls++;
        return items.get(index).payload();
    }

    @Override
    public Map<String, String> metadata(int index) {
        return items.get(index).metadata();
    }

    /** A {@link BatchAppendCallback} that completes a future; a rejection completes it exceptionally. */
    public static final class BatchFuture extends CompletableFuture<AppendedBatch> implements BatchAppendCallback {
        @Override
        public void onAppended(AppendedBatch acks) {
            if (!complete(acks)) {
                throw new AssertionError("batch callback called twice");
            }
        }

        @Override
        public void onRejected(LedgerException reason) {
            if (!completeExceptionally(reason)) {
                throw new AssertionError("batch callback called twice");
            }
        }

        AppendedBatch await() {
            return Callbacks.await(this);
        }
    }

    static BatchFuture appendAsync(Ledger ledger, TestBatch batch, BatchStream stream) {
        BatchFuture f = new BatchFuture();
        ledger.appendBatch(batch, stream, f);
        return f;
    }

    static AppendedBatch append(Ledger ledger, TestBatch batch) {
        return appendAsync(ledger, batch, null).await();
    }
}
