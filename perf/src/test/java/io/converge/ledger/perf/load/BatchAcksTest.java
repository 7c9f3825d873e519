package io.converge.ledger.perf.load;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchAcksTest {
    @Test
    void theScanReadsEveryAcksSequenceInOrderPastIdsTimesAndUnknownFields() {
        AppendBatchResponse.Builder b = AppendBatchResponse.newBuilder();
        for (int i = 0; i < 5; i++) {
            b.addAcks(AppendAck.newBuilder().setSequence(1_000_000_000_000L + i).setId("id-" + i)
                .setAppendedAtNs(System.currentTimeMillis() * 1_000_000));
        }
        b.addAcks(AppendAck.newBuilder().setId("no sequence"));
        byte[] wire = b.build().toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
            .addField(9, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build())
            .build().toByteArray();
        BatchAcks acks = new BatchAcks.Parser(2).parse(new ByteArrayInputStream(wire));
        assertEquals(6, acks.count(), "grows past the expected size");
        for (int i = 0; i < 5; i++) {
            assertEquals(1_000_000_000_000L + i, acks.sequence(i));
        }
        assertEquals(0, acks.sequence(5));
    }

    @Test
    void batchRepliesMustAckEveryEntryWithSequencesRisingPerContext() throws Exception {
        LoadOptions o = LoadOptions.parse("--rpc", "stream", "--batch", "3", "--contexts", "2", "--payload", "4");
        AppendBatches batches = new AppendBatches(o, new AppendRequests(o));
        assertEquals(2, batches.count(), "2 contexts / gcd(3, 2)");
        assertEquals(1, batches.firstContext(1));
        AppendRequest third = batches.request(1).getEntries(2);
        assertEquals(o.contextId(1), third.getContextId(), "round-robin across batches: 3, 4, 5 -> 1, 0, 1");
        assertEquals(ByteString.copyFromUtf8("xxxx"), third.getPayload());
        AppendOutcomes outcomes = new AppendOutcomes(2);
        long[] last = new long[2];
        assertTrue(outcomes.batchReplied(acks(1, 1, 2), batches, 0, last, true));
        assertFalse(outcomes.batchReplied(acks(3, 2, 4), batches, 1, last, true), "context 1 went from 2 to 2");
        assertFalse(outcomes.batchReplied(acks(5, 6), batches, 0, null, false), "an ack short");
        assertFalse(outcomes.batchReplied(acks(7, 8, 6), batches, 0, null, false), "context 0 went from 7 to 6");
        assertEquals(3, outcomes.ok());
        assertEquals(1, outcomes.okBatches());
        assertEquals(3L, outcomes.errors().get(AppendOutcomes.BAD_REPLY));
    }

    private static BatchAcks acks(long... sequences) {
        AppendBatchResponse.Builder b = AppendBatchResponse.newBuilder();
        for (long s : sequences) {
            b.addAcks(AppendAck.newBuilder().setSequence(s).setId("x"));
        }
        return new BatchAcks.Parser(1).parse(new ByteArrayInputStream(b.build().toByteArray()));
    }
}
