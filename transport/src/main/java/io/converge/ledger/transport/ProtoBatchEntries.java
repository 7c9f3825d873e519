package io.converge.ledger.transport;

import io.converge.context.v1.AppendBatchRequest;
import io.converge.ledger.core.BatchEntries;

import java.util.Map;

/** An {@link AppendBatchRequest}'s entries as the core reads them. A view: it copies a payload only when asked. */
final class ProtoBatchEntries implements BatchEntries {
    private final AppendBatchRequest request;

    ProtoBatchEntries(AppendBatchRequest request) {
        this.request = request;
    }

    @Override
    public int size() {
        return request.getEntriesCount();
    }

    @Override
    public String contextId(int index) {
        return request.getEntries(index).getContextId();
    }

    @Override
    public String key(int index) {
        return request.getEntries(index).getKey();
    }

    @Override
    public int payloadLength(int index) {
        return request.getEntries(index).getPayload().size();
    }

    @Override
    public byte[] payload(int index) {
        return request.getEntries(index).getPayload().toByteArray();
    }

    @Override
    public Map<String, String> metadata(int index) {
        return ProtoEntries.metadataOf(request.getEntries(index));
    }
}
