package io.converge.ledger.transport;

import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static io.converge.ledger.transport.AppendBatchContractTest.batch;
import static io.converge.ledger.transport.AppendBatchContractTest.batchOf;
import static io.converge.ledger.transport.AppendBatchContractTest.entry;
import static io.converge.ledger.transport.ContractSupport.assertStatus;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CONTRACT.md, "Extension: batched appends", for AppendStream: one response per batch, in
 * order; a refused batch ends the stream after every earlier batch was answered.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class AppendStreamContractTest extends ServedOverBothTransports {

    private AppendStreamRecorder open() {
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        return stream;
    }

    private static List<Long> ackedSequences(List<AppendBatchResponse> responses) {
        List<Long> s = new ArrayList<>();
        responses.forEach(r -> r.getAcksList().forEach(a -> s.add(a.getSequence())));
        return s;
    }

    @Test
    void everyBatchGetsOneResponseInOrderAndTheHalfCloseEndsTheStreamWithOk() throws Exception {
        AppendStreamRecorder stream = open();
        int batches = 100;
        for (int b = 0; b < batches; b++) {
            stream.send(batch(entry("s", "k", bytes(16, b)), entry("other", "k", bytes(16, b)),
                entry("s", "k", bytes(16, -b))));
        }
        stream.finish();

        assertEquals(Status.Code.OK, stream.awaitEnd().getCode());
        List<AppendBatchResponse> responses = stream.responses();
        assertEquals(batches, responses.size(), "one response per batch");
        for (int b = 0; b < batches; b++) {
            List<Long> acks = responses.get(b).getAcksList().stream().map(AppendAck::getSequence).toList();
            assertEquals(List.of(2L * b + 1, b + 1L, 2L * b + 2), acks, "batch " + b + " answered in order");
        }
        assertEquals(oneTo(2 * batches), sequences(readAll(fixture, "s")));
        assertEquals(oneTo(batches), sequences(readAll(fixture, "other")));
    }

    @Test
    void aRefusedBatchEndsTheStreamWithItsStatusAfterEveryEarlierBatchWasAnswered() throws Exception {
        AppendStreamRecorder stream = open();
        for (int b = 0; b < 5; b++) {
            stream.send(batchOf("s", "good" + b, 10));
        }
        stream.send(batch(entry("s", "k", bytes(8, 1)), entry("s", "k", bytes(8, 2)), entry("", "k", bytes(8, 3))));
        stream.send(batchOf("s", "after", 10));

        Status end = stream.awaitEnd();

        assertStatus(Status.Code.INVALID_ARGUMENT, "entry 2: context_id", end);
        List<AppendBatchResponse> responses = stream.responses();
        assertEquals(5, responses.size(), "every earlier batch was answered first");
        assertEquals(oneTo(50), ackedSequences(responses));
        assertEquals(50, latest(fixture, "s"), "nothing of the refused batch, nor of the one after it, was stored");
    }

    @Test
    void anEmptyBatchOnAStreamIsAnsweredInItsTurnWithNoAcks() throws Exception {
        AppendStreamRecorder stream = open();
        stream.send(batchOf("s", "a", 3));
        stream.send(AppendBatchRequest.getDefaultInstance());
        stream.send(batchOf("s", "b", 2));
        stream.finish();

        assertEquals(Status.Code.OK, stream.awaitEnd().getCode());
        List<AppendBatchResponse> responses = stream.responses();
        assertEquals(List.of(3, 0, 2), responses.stream().map(AppendBatchResponse::getAcksCount).toList());
        assertEquals(oneTo(5), ackedSequences(responses));
    }

    @Test
    void aStreamWithNoBatchesEndsWithOkWhenTheClientHalfCloses() throws Exception {
        AppendStreamRecorder stream = open();
        stream.finish();
        assertEquals(Status.Code.OK, stream.awaitEnd().getCode());
        assertEquals(0, stream.responses().size());
    }
}
