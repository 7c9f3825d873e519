package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendBatchResponse;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.assertStatus;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How AppendBatch and AppendStream requests are parsed ({@link WireBatchParsing}): one over
 * 1 MiB is parsed off its event loop and still stored whole and in order; the bytes being
 * parsed count against {@code LEDGER_PARSE_BUDGET_BYTES}, and a request beyond it is
 * refused with RESOURCE_EXHAUSTED and changes nothing.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class RequestParsingContractTest extends ServedOverBothTransports {
    private static final int BUDGET = 3 << 20;

    @Override
    ServerSettings settings() {
        ServerSettings d = ServerSettings.defaults();
        return d.withMetricsPort(0).withLimits(d.limits().withParseBudgetBytes(BUDGET));
    }

    /** {@code entries} entries of {@code payloadBytes} each, with 100 metadata pairs apiece. */
    private static AppendBatchRequest batch(String contextId, int entries, int payloadBytes) {
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (int i = 0; i < entries; i++) {
            AppendRequest.Builder e = AppendRequest.newBuilder().setContextId(contextId).setKey("k" + i % 3)
                .setPayload(ByteString.copyFrom(ContractSupport.bytes(payloadBytes, i)));
            for (int m = 0; m < 100; m++) {
                e.putMetadata("m" + m, "v" + i + "-" + m);
            }
            b.addEntries(e);
        }
        return b.build();
    }

    private double offloaded() throws Exception {
        return new MetricsClient(fixture.server.metricsPort()).scrape().getOrDefault("ledger_parse_offloaded_total", 0.0);
    }

    @Test
    void aBatchOverOneMebibyteIsParsedOffTheEventLoopAndStoredWhole() throws Exception {
        AppendBatchRequest large = batch("c", 150, 16 * 1024);
        assertTrue(large.getSerializedSize() > WireBatchParsing.INLINE_BYTES);

        AppendBatchResponse response = fixture.blocking().appendBatch(large);

        assertEquals(150, response.getAcksCount());
        List<Entry> stored = readAll(fixture, "c");
        assertEquals(150, stored.size());
        for (int i = 0; i < 150; i++) {
            assertEquals(large.getEntries(i).getPayload(), stored.get(i).getPayload());
            assertEquals(large.getEntries(i).getMetadataMap(), stored.get(i).getMetadataMap());
        }
        assertEquals(1.0, offloaded(), "parsed on a parse thread");
    }

    @Test
    void anAppendStreamMixingLargeAndSmallBatchesIsAnsweredAndStoredInTheOrderSent() throws Exception {
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        // The two large batches are each over 1 MiB (parsed off the event loop, possibly at
        // once) and together within the 3 MiB parse budget, so the budget never refuses them.
        int[] sizes = {1, 70, 2, 75, 3};
        long inBudget = 0;
        for (int i = 0; i < sizes.length; i++) {
            AppendBatchRequest b = batch("s" + i, sizes[i], sizes[i] > 3 ? 16 * 1024 : 10);
            assertTrue(sizes[i] <= 3 || b.getSerializedSize() > 1 << 20, "batch " + i + " is parsed off the loop");
            inBudget += b.getSerializedSize();
            stream.send(b);
        }
        assertTrue(inBudget <= BUDGET, "all of them fit the parse budget at once: " + inBudget);
        stream.finish();

        List<AppendBatchResponse> responses = stream.awaitItems(sizes.length);
        assertEquals(Status.Code.OK, stream.awaitEnd().getCode());
        for (int i = 0; i < sizes.length; i++) {
            assertEquals(sizes[i], responses.get(i).getAcksCount(), "response " + i + " answers batch " + i);
        }
        List<Long> appendedAt = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            appendedAt.add(readAll(fixture, "s" + i).get(0).getAppendedAtNs());
        }
        List<Long> sorted = new ArrayList<>(appendedAt);
        sorted.sort(null);
        assertEquals(sorted, appendedAt, "stored in the order sent");
        assertEquals(2.0, offloaded());
    }

    @Test
    void aRequestOverTheParseBudgetIsResourceExhaustedAndChangesNothing() throws Exception {
        AppendBatchRequest tooLarge = batch("c", 2, 2 << 20);
        assertTrue(tooLarge.getSerializedSize() > BUDGET);

        assertRejected(Status.Code.RESOURCE_EXHAUSTED, "LEDGER_PARSE_BUDGET_BYTES",
            () -> fixture.blocking().appendBatch(tooLarge));
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        stream.send(tooLarge);
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, "LEDGER_PARSE_BUDGET_BYTES", stream.awaitEnd());

        assertEquals(0, fixture.server.ledger().stats().entriesStored(), "nothing was stored");
        assertEquals(1, fixture.blocking().appendBatch(batch("c", 1, 10)).getAcksCount(), "smaller ones are taken");
        Map<String, Double> metrics = new MetricsClient(fixture.server.metricsPort()).scrape();
        assertEquals(2.0, metrics.get("ledger_parse_refusals_total"));
        assertEquals(0.0, metrics.get("ledger_parse_bytes"), "every parse gave its bytes back");
    }

    @Test
    void aMalformedRequestOverOneMebibyteIsInvalidArgumentNamingTheRequestType() {
        byte[] good = batch("c", 100, 16 * 1024).toByteArray();
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        MethodDescriptor<byte[], byte[]> raw = ContextServiceGrpc.getAppendBatchMethod()
            .toBuilder(new RawBytes(), new RawBytes()).build();

        assertRejected(Status.Code.INVALID_ARGUMENT, "AppendBatchRequest", () -> ClientCalls.blockingUnaryCall(
            fixture.channel, raw, CallOptions.DEFAULT.withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS,
                TimeUnit.SECONDS), truncated));
        assertEquals(0, fixture.server.ledger().stats().entriesStored(), "nothing was stored");
    }

    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
