package io.converge.ledger.transport;

import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.ledger.core.AppendedBatch;
import io.converge.ledger.core.EntryIds;

import java.util.Arrays;
import java.util.function.IntFunction;

/** Renders a stored batch as its wire answer: one compact ack per entry, in request order. Stateless. */
final class BatchAcks {
    private BatchAcks() {
    }

    static AppendBatchResponse toProto(AppendedBatch batch) {
        return of(batch.size(), i -> ack(batch.sequence(i), batch.idHi(i), batch.idLo(i), batch.appendedAtNs(i)));
    }

    /** The answer to a batch of {@code n} entries whose ack {@code i} is {@code ack.apply(i)}. */
    static AppendBatchResponse of(int n, IntFunction<AppendAck> ack) {
        AppendAck[] acks = new AppendAck[n];
        for (int i = 0; i < n; i++) {
            acks[i] = ack.apply(i);
        }
        // All at once: the builder sizes its list once instead of growing it ack by ack.
        return AppendBatchResponse.newBuilder().addAllAcks(Arrays.asList(acks)).build();
    }

    static AppendAck ack(long sequence, long idHi, long idLo, long appendedAtNs) {
        return AppendAck.newBuilder()
            .setSequence(sequence)
            .setId(EntryIds.format(idHi, idLo))
            .setAppendedAtNs(appendedAtNs)
            .build();
    }
}
