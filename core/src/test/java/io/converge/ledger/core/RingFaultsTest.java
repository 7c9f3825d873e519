package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.appendAsync;
import static io.converge.ledger.core.Callbacks.rejection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fault in a ring handler: logged, counted, its command answered, and an Error stops the ledger. */
class RingFaultsTest extends Ledgers {
    /** A store whose next claim throws what the test arms it with. */
    private static final class FaultyStore extends ForwardingRecordStore {
        final AtomicReference<Throwable> next = new AtomicReference<>();

        FaultyStore() {
            super(StorageConfig.memory().withSegmentBytes(StorageConfig.MIN_SEGMENT_BYTES).open());
        }

        @Override
        public long claim(int size) {
            Throwable t = next.getAndSet(null);
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return super.claim(size);
        }
    }

    private Ledger startOn(FaultyStore store) {
        return adopt(Ledger.start(LedgerConfig.defaults(), store));
    }

    @Test
    void aFaultInTheSequencerRefusesItsCommandWithInternalAndNoExceptionTextAndTheLedgerGoesOn() {
        FaultyStore store = new FaultyStore();
        Ledger ledger = startOn(store);
        append(ledger, "c", "k", "before");
        store.next.set(new IllegalStateException("secret internals of the store"));

        LedgerException refused = rejection(appendAsync(ledger, "c", "k", Bytes.utf8("faulted"), java.util.Map.of()));

        assertEquals(LedgerException.Reason.INTERNAL, refused.reason());
        assertFalse(refused.getMessage().contains("secret"), refused.getMessage());
        assertEquals(1, ledger.faults());
        assertNull(ledger.failure(), "a RuntimeException does not stop the ledger");
        assertEquals(2, append(ledger, "c", "k", "after").sequence(), "the ledger goes on, with no gap");
    }

    @Test
    void anErrorInTheSequencerStopsTheLedgerRefusingNewCommandsAndTellsTheListenerOnce() {
        FaultyStore store = new FaultyStore();
        Ledger ledger = startOn(store);
        AtomicInteger told = new AtomicInteger();
        ledger.onFailure(told::incrementAndGet);
        store.next.set(new OutOfMemoryError("simulated"));

        LedgerException refused = rejection(appendAsync(ledger, "c", "k", Bytes.utf8("x"), java.util.Map.of()));

        assertEquals(LedgerException.Reason.INTERNAL, refused.reason(), "the command in hand is still answered");
        assertTrue(ledger.failure() != null && ledger.failure().contains("OutOfMemoryError"), ledger.failure());
        assertEquals(1, told.get());
        LedgerException next = assertThrows(LedgerException.class,
            () -> ledger.append("c", "k", Bytes.utf8("y"), java.util.Map.of(), new Callbacks.AppendFuture()));
        assertEquals(LedgerException.Reason.UNAVAILABLE, next.reason());
        assertTrue(next.getMessage().contains("stopped"), next.getMessage());
        assertEquals(0, ledger.view("c").latestSequence(), "nothing was stored");
    }

    @Test
    void anErrorReadingTheClockRefusesTheBatchsFirstCommandAndStopsTheLedgerInsteadOfSkippingIt() {
        AtomicReference<Error> next = new AtomicReference<>();
        Ledger ledger = adopt(Ledger.start(LedgerConfig.defaults().withEpochNanos(() -> {
            Error e = next.getAndSet(null);
            if (e != null) {
                throw e;
            }
            return EpochNanoClock.SYSTEM.getAsLong();
        })));
        append(ledger, "c", "k", "before");
        next.set(new OutOfMemoryError("simulated"));

        LedgerException refused = rejection(appendAsync(ledger, "c", "k", Bytes.utf8("x"), java.util.Map.of()));

        assertEquals(LedgerException.Reason.INTERNAL, refused.reason(), "answered, never acknowledged unstored");
        assertTrue(ledger.failure() != null && ledger.failure().contains("OutOfMemoryError"), ledger.failure());
        assertEquals(1, ledger.view("c").latestSequence(), "nothing more was stored");
        LedgerException later = assertThrows(LedgerException.class,
            () -> ledger.append("c", "k", Bytes.utf8("y"), java.util.Map.of(), new Callbacks.AppendFuture()));
        assertEquals(LedgerException.Reason.UNAVAILABLE, later.reason());
    }

    @Test
    void aLedgerThreadEndingWithAnErrorStopsTheLedgerInsteadOfDyingSilently() throws Exception {
        RingFaults faults = new RingFaults();
        AtomicInteger told = new AtomicInteger();
        faults.onFailure(told::incrementAndGet);
        DaemonThreads threads = new DaemonThreads("ledger-test", faults);

        Thread t = threads.newThread(() -> {
            throw new OutOfMemoryError("simulated");
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(Callbacks.TIMEOUT_SECONDS));

        assertFalse(t.isAlive());
        assertEquals(1, faults.count());
        assertTrue(faults.failure() != null && faults.failure().contains("ledger-test-0"), faults.failure());
        assertEquals(1, told.get());
    }

    @Test
    void aRuntimeExceptionEndingALedgerThreadIsCountedAndDoesNotStopTheLedger() throws Exception {
        RingFaults faults = new RingFaults();
        Thread t = new DaemonThreads("ledger-test", faults).newThread(() -> {
            throw new IllegalStateException("simulated");
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(Callbacks.TIMEOUT_SECONDS));

        assertEquals(1, faults.count());
        assertNull(faults.failure());
    }

    @Test
    void anErrorForcingRecordsStopsTheLedgerAndTheFsyncThreadGoesOn() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        RecordStore store = new ForwardingRecordStore(
            StorageConfig.memory().withSegmentBytes(StorageConfig.MIN_SEGMENT_BYTES).open()) {
            @Override
            public void force() {
                if (forces.incrementAndGet() == 1) {
                    throw new OutOfMemoryError("simulated");
                }
            }
        };
        RingFaults faults = new RingFaults();
        IntervalFlusher flusher = new IntervalFlusher(store, TimeUnit.MILLISECONDS.toNanos(1), faults);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Callbacks.TIMEOUT_SECONDS);
            while (forces.get() < 3 && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertTrue(forces.get() >= 3, "the fsync thread went on after the Error");
            assertTrue(faults.failure() != null && faults.failure().contains("ledger-fsync"), faults.failure());
        } finally {
            flusher.close();
            store.close();
        }
    }
}
