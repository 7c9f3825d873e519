package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests the protobuf parser rejects are answered INVALID_ARGUMENT, never INTERNAL. */
@ParameterizedClass
@EnumSource(Transport.class)
class MalformedRequestTest {
    @Parameter
    Transport transport;

    private LedgerFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = LedgerFixture.start(transport);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void malformedBytesAreInvalidArgument() {
        // Field 1 (context_id) declared as a 100-byte string but only 2 bytes follow.
        StatusRuntimeException e = callAppendWithRawBytes(new byte[] {0x0A, 100, 'a', 'b'});
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("AppendRequest"), e.getStatus().getDescription());
    }

    @Test
    void invalidUtf8InAStringFieldIsInvalidArgument() {
        // Field 1 (context_id) holding the bytes 0xC3 0x28: not valid UTF-8.
        StatusRuntimeException e = callAppendWithRawBytes(new byte[] {0x0A, 2, (byte) 0xC3, 0x28});
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    }

    private StatusRuntimeException callAppendWithRawBytes(byte[] body) {
        MethodDescriptor<byte[], byte[]> raw = ContextServiceGrpc.getAppendMethod()
            .toBuilder(new RawBytes(), new RawBytes())
            .build();
        return assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(fixture.channel, raw,
            CallOptions.DEFAULT.withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS, TimeUnit.SECONDS), body));
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
