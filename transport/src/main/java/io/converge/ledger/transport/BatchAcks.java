package io.converge.ledger.transport;

import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.ledger.core.AppendedBatch;
import io.converge.ledger.core.EntryIds;

/** Renders a stored batch as its wire answer: one compact ack per entry, in request order. Stateless. */
final class BatchAcks {
    private BatchAcks() {
    }

    static AppendBatchResponse toProto(AppendedBatch batch) {
        AppendBatchResponse.Builder response = AppendBatchResponse.newBuilder();
        for (int i = 0, n = batch.size(); i < n; i++) {
            // A fresh builder each: one reused after build() carries its unknown fields as a
            // builder and rebuilds them on every later build().
            response.addAcks(AppendAck.newBuilder()
                .setSequence(batch.sequence(i))
                .setId(EntryIds.format(batch.idHi(i), batch.idLo(i)))
                .setAppendedAtNs(batch.appendedAtNs(i)));
        }
        return response.build();
    }
}
