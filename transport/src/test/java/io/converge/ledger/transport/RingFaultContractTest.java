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

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class RingFaultContractTest extends ServedOverBothTransports {
    private final FaultyClock clock = new FaultyClock();
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger ringFaults = Logger.getLogger("io.converge.ledger.core.RingFaults");

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
        ringFaults.addHandler(capture);
    }

    @AfterEach
    void releaseTheLog() {
        ringFaults.removeHandler(capture);
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
        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.SEVERE && r.getThrown() instanceof OutOfMemoryError),
            "the fault is logged with its cause");

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
