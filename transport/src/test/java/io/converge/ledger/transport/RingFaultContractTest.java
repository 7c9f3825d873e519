package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendBatchRequest;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.ledger.core.EpochNanoClock;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.assertStatus;
import static io.converge.ledger.transport.ContractSupport.await;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@link Error} in a ring stage of a served ledger (an OutOfMemoryError, injected through
 * the sequencer's clock): the command in hand is answered, health turns NOT_SERVING, the
 * reason is logged, every later append (Append, AppendBatch, AppendStream) is refused at
 * once with UNAVAILABLE saying why, what was stored stays readable, and the server still
 * shuts down promptly.
 */
@StandaloneOnly("injects a fault into the standalone ring's Sequencer stage, which a cluster member's ring does not have"
    + " (its first stage is the LogForwarder)")
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class RingFaultContractTest extends ServedOverBothTransports {
    private final FaultyClock clock = new FaultyClock();
    /** What the server logged during the test: its logging writes to System.err, teed here. */
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private PrintStream originalErr;

    /** The system clock, until armed: then its next read throws the armed Error, once. */
    private static final class FaultyClock implements LongSupplier {
        final AtomicReference<Error> next = new AtomicReference<>();

        @Override
        public long getAsLong() {
            Error e = next.getAndSet(null);
            if (e != null) {
                throw e;
            }
            return EpochNanoClock.SYSTEM.getAsLong();
        }
    }

    @Override
    ServerSettings settings() {
        ServerSettings d = ServerSettings.defaults();
        return d.withLedger(d.ledger().withEpochNanos(clock));
    }

    @BeforeEach
    void captureTheLog() {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeOutputStream(originalErr, logged), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void releaseTheLog() {
        System.setErr(originalErr);
    }

    private String log() {
        synchronized (logged) {
            return logged.toString(StandardCharsets.UTF_8);
        }
    }

    /** Writes to both streams; the capture under its own lock. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final ByteArrayOutputStream second;

        TeeOutputStream(OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            first.flush();
        }
    }

    private ServingStatus health(String service) {
        return HealthGrpc.newBlockingStub(fixture.channel).withDeadlineAfter(LedgerFixture.DEADLINE_SECONDS,
            TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    private static AppendRequest entry(String payload) {
        return AppendRequest.newBuilder().setContextId("c").setKey("k").setPayload(ByteString.copyFromUtf8(payload))
            .build();
    }

    @Test
    void anErrorInARingStageTurnsHealthNotServingAndLaterAppendsAreRefusedAtOnceWithUnavailable() throws Exception {
        append(fixture, "c", "k", "before");
        clock.next.set(new OutOfMemoryError("simulated: the heap ran out"));

        assertRejected(Status.Code.INTERNAL, "nothing of it was acknowledged",
            () -> fixture.blocking().append(entry("in hand")));

        await("health NOT_SERVING", LedgerFixture.DEADLINE_SECONDS,
            () -> health("") == ServingStatus.NOT_SERVING);
        assertEquals(ServingStatus.NOT_SERVING, health(ContextServiceGrpc.SERVICE_NAME));
        String log = log();
        assertTrue(log.contains("ERROR") && log.contains("io.converge.ledger.core.RingFaults")
            && log.contains("java.lang.OutOfMemoryError: simulated: the heap ran out"),
            "the fault is logged with its cause: " + log);

        assertRejected(Status.Code.UNAVAILABLE, "stopped", () -> fixture.blocking().append(entry("after")));
        assertRejected(Status.Code.UNAVAILABLE, "stopped", () -> fixture.blocking().appendBatch(
            AppendBatchRequest.newBuilder().addEntries(entry("after")).build()));
        AppendStreamRecorder stream = new AppendStreamRecorder();
        fixture.async().appendStream(stream);
        stream.send(AppendBatchRequest.newBuilder().addEntries(entry("after")).build());
        assertStatus(Status.Code.UNAVAILABLE, "stopped", stream.awaitEnd());

        assertEquals(1, readAll(fixture, "c").size(), "what was stored stays readable, and nothing else was");
        assertTimeoutPreemptively(Duration.ofSeconds(LedgerFixture.DEADLINE_SECONDS), () -> fixture.server.close(),
            "a failed ledger still shuts down promptly");
    }
}
