package io.converge.ledger.transport;

import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.ledger.core.EntryIds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchAcksTest {

    @Test
    void consecutiveAcksAreTheBytesProtobufWritesForTheSameResponse() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        long[] edges = {0, 1, 127, 128, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        for (int round = 0; round < 2_000; round++) {
            int n = round % 130;
            long first = round < edges.length ? edges[round] : random.nextLong() >>> random.nextInt(64);
            long idHi = random.nextLong();
            long idLo = round < edges.length ? edges[edges.length - 1 - round] : random.nextLong();
            long at = round < edges.length ? edges[round] : random.nextLong() >>> random.nextInt(64);
            AppendBatchResponse.Builder expected = AppendBatchResponse.newBuilder();
            for (int i = 0; i < n; i++) {
                expected.addAcks(AppendAck.newBuilder().setSequence(first + i).setId(EntryIds.format(idHi, idLo + i))
                    .setAppendedAtNs(at));
            }
            byte[] written = bytes(BatchAcks.consecutive(n, first, idHi, idLo, at));
            assertArrayEquals(expected.build().toByteArray(), written, "round " + round);
            assertEquals(expected.build(), AppendBatchResponse.parseFrom(written));
        }
    }

    private static byte[] bytes(EncodedMessage message) throws IOException {
        try (InputStream in = EncodedMessage.MARSHALLER.stream(message)) {
            byte[] bytes = in.readAllBytes();
            assertEquals(message.length(), bytes.length);
            return bytes;
        }
    }
}
