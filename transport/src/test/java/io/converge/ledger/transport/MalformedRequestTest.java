package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Requests the protobuf parser rejects (malformed bytes, invalid UTF-8 in a string field)
 * are answered INVALID_ARGUMENT naming the request type, never INTERNAL or UNKNOWN, by
 * every rpc, and change nothing.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class MalformedRequestTest extends ServedOverBothTransports {
    /** Every rpc, each called with raw request bytes. */
    enum Rpc {
        APPEND(ContextServiceGrpc.getAppendMethod(), "AppendRequest"),
        APPEND_BATCH(ContextServiceGrpc.getAppendBatchMethod(), "AppendBatchRequest"),
        APPEND_STREAM(ContextServiceGrpc.getAppendStreamMethod(), "AppendBatchRequest"),
        GET(ContextServiceGrpc.getGetMethod(), "GetRequest"),
        SNAPSHOT(ContextServiceGrpc.getSnapshotMethod(), "SnapshotRequest"),
        LOAD(ContextServiceGrpc.getLoadMethod(), "LoadRequest"),
        WATCH(ContextServiceGrpc.getWatchMethod(), "WatchRequest");

        final MethodDescriptor<byte[], byte[]> raw;
        /** The request's message type, which the refusal names. */
        final String requestType;

        Rpc(MethodDescriptor<?, ?> method, String requestType) {
            this.raw = method.toBuilder(new RawBytes(), new RawBytes()).build();
            this.requestType = requestType;
        }
    }

    static Stream<Arguments> malformedRequests() {
        List<Arguments> rows = new ArrayList<>();
        for (Rpc rpc : Rpc.values()) {
            // Field 1 is context_id in every request.
            rows.add(Arguments.of(rpc, "a string field declared 100 bytes long with 2 following",
                bytes(0x0A, 100, 'a', 'b')));
            rows.add(Arguments.of(rpc, "context_id holding 0xC3 0x28, not UTF-8", bytes(0x0A, 2, 0xC3, 0x28)));
            rows.add(Arguments.of(rpc, "a tag with the invalid wire type 7", bytes(0x0F, 0x00)));
            rows.add(Arguments.of(rpc, "a varint cut short", bytes(0x0A, 1, 'c', 0x18, 0x80)));
            rows.add(Arguments.of(rpc, "field number 0", bytes(0x02, 0x00)));
        }
        for (Rpc rpc : new Rpc[] {Rpc.APPEND, Rpc.GET, Rpc.WATCH}) {
            rows.add(Arguments.of(rpc, "key holding 0xC3 0x28, not UTF-8", bytes(0x0A, 1, 'c', 0x12, 2, 0xC3, 0x28)));
        }
        for (Rpc rpc : new Rpc[] {Rpc.APPEND_BATCH, Rpc.APPEND_STREAM}) {
            // AppendBatchRequest.entries (field 1) holding one AppendRequest whose context_id is not UTF-8.
            rows.add(Arguments.of(rpc, "an entry's context_id holding 0xC3 0x28, not UTF-8",
                bytes(0x0A, 4, 0x0A, 2, 0xC3, 0x28)));
            rows.add(Arguments.of(rpc, "an entry's metadata value that is not UTF-8",
                bytes(0x0A, 12, 0x0A, 1, 'c', 0x22, 7, 0x0A, 1, 'k', 0x12, 2, 0xC3, 0x28)));
        }
        // AppendRequest.metadata (field 4): map entries with key = 1, value = 2.
        rows.add(Arguments.of(Rpc.APPEND, "a metadata key that is not UTF-8",
            bytes(0x0A, 1, 'c', 0x22, 7, 0x0A, 2, 0xC3, 0x28, 0x12, 1, 'v')));
        rows.add(Arguments.of(Rpc.APPEND, "a metadata value that is not UTF-8",
            bytes(0x0A, 1, 'c', 0x22, 7, 0x0A, 1, 'k', 0x12, 2, 0xC3, 0x28)));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("malformedRequests")
    void aRequestTheParserRejectsIsInvalidArgumentNamingTheRequestTypeAndChangesNothing(Rpc rpc, String what,
                                                                                       byte[] body) {
        StatusRuntimeException e = call(rpc, body);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        assertTrue(description != null && description.contains(rpc.requestType), String.valueOf(description));
        var ledger = fixture.server.ledger();
        assertEquals(0, ledger.stats().entriesStored(), "nothing was stored");
        assertEquals(0, ledger.contextCount(), "no context came into being");
        assertEquals(0, ledger.stats().watchersOpen(), "no watch was registered");
    }

    @Test
    void malformedBytesAreInvalidArgument() {
        // Field 1 (context_id) declared as a 100-byte string but only 2 bytes follow.
        StatusRuntimeException e = call(Rpc.APPEND, bytes(0x0A, 100, 'a', 'b'));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("AppendRequest"), e.getStatus().getDescription());
    }

    @Test
    void invalidUtf8InAStringFieldIsInvalidArgument() {
        // Field 1 (context_id) holding the bytes 0xC3 0x28: not valid UTF-8.
        StatusRuntimeException e = call(Rpc.APPEND, bytes(0x0A, 2, 0xC3, 0x28));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    }

    @Test
    void aWellFormedRawRequestStillWorksThroughTheTolerantParser() {
        // context_id "c", key "k": the same path as the malformed rows, accepted.
        byte[] response = ClientCalls.blockingUnaryCall(fixture.channel, Rpc.APPEND.raw, options(),
            bytes(0x0A, 1, 'c', 0x12, 1, 'k'));
        assertTrue(response.length > 0);
        assertEquals(1, ContractSupport.latest(fixture, "c"));
    }

    @Test
    void aCompressedRequestThatDoesNotInflateIsInvalidArgument() {
        assumeTrue(transport.overNetty(), "the in-process transport passes messages uncompressed");
        // A client whose "gzip" writes bytes that are not gzip at all.
        CompressorRegistry lying = CompressorRegistry.newEmptyInstance();
        lying.register(new Compressor() {
            @Override
            public String getMessageEncoding() {
                return "gzip";
            }

            @Override
            public OutputStream compress(OutputStream os) {
                return new FilterOutputStream(os) {
                    @Override
                    public void write(int b) throws java.io.IOException {
                        out.write(b ^ 0x5A);
                    }
                };
            }
        });
        var stub = ContextServiceGrpc.newBlockingStub(fixture.openChannel(b -> b.compressorRegistry(lying)))
            .withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .withCompression("gzip");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.append(
            io.converge.context.v1.AppendRequest.newBuilder().setContextId("c").setKey("k").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("AppendRequest"), e.getStatus().getDescription());
        assertEquals(0, fixture.server.ledger().stats().entriesStored(), "nothing was stored");
    }

    private StatusRuntimeException call(Rpc rpc, byte[] body) {
        return assertThrows(StatusRuntimeException.class, () -> {
            switch (rpc.raw.getType()) {
                case SERVER_STREAMING ->
                    ClientCalls.blockingServerStreamingCall(fixture.channel, rpc.raw, options(), body).hasNext();
                case BIDI_STREAMING -> {
                    CompletableFuture<Throwable> ended = new CompletableFuture<>();
                    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                        fixture.channel.newCall(rpc.raw, options()), new StreamObserver<byte[]>() {
                            @Override
                            public void onNext(byte[] value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                                ended.complete(t);
                            }

                            @Override
                            public void onCompleted() {
                                ended.complete(null);
                            }
                        });
                    requests.onNext(body);
                    requests.onCompleted();
                    Throwable t = ended.get(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
                    if (t != null) {
                        throw t;
                    }
                }
                default -> ClientCalls.blockingUnaryCall(fixture.channel, rpc.raw, options(), body);
            }
        });
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
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
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
