package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.load;
import static io.converge.ledger.core.Callbacks.loadAsync;
import static io.converge.ledger.core.Callbacks.rejection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Load checks beyond the format and the checksum, so that a forged blob cannot break the contract. */
class LoadChecksTest extends Ledgers {
    private static final long NOW = 1_800_000_000_000_000_000L;
    private static final long SKEW = TimeUnit.MINUTES.toNanos(1);

    private Ledger ledgerAtNow() {
        return start(LedgerConfig.defaults().withEpochNanos(() -> NOW));
    }

    private static LedgerException refusedAtCall(Ledger ledger, byte[] blob) {
        LedgerException e = assertThrows(LedgerException.class, () -> loadAsync(ledger, "c", blob, false));
        assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason());
        assertEquals(0, ledger.view("c").latestSequence(), "nothing changed");
        return e;
    }

    @Test
    void anAppendTimeUpToTheSkewPastTheClockLoads() {
        Ledger ledger = ledgerAtNow();
        byte[] blob = BlobWriter.header("c", 1, 1).entry(1, 1, NOW + SKEW, "k", new byte[0]).withCrc();
        assertEquals(new Callbacks.Loaded(1, 1), load(ledger, "c", blob, false));
    }

    @Test
    void anAppendTimeBeyondTheSkewIsRefusedNamingTheEntry() {
        Ledger ledger = ledgerAtNow();
        byte[] blob = BlobWriter.header("c", 1, 2).entry(1, 1, NOW, "k", new byte[0])
            .entry(1, 2, Long.MAX_VALUE, "k", new byte[0]).withCrc();
        LedgerException e = refusedAtCall(ledger, blob);
        assertTrue(e.getMessage().contains("sequence 2") && e.getMessage().contains("appended_at_ns"), e.getMessage());
    }

    @Test
    void theSkewIsConfigurable() {
        Ledger ledger = start(LedgerConfig.defaults().withEpochNanos(() -> NOW).withLoadMaxClockSkewNanos(0));
        byte[] blob = BlobWriter.header("c", 1, 1).entry(1, 1, NOW + 1, "k", new byte[0]).withCrc();
        refusedAtCall(ledger, blob);
    }

    @Test
    void anAppendTimeAbove2To63IsRefused() {
        Ledger ledger = ledgerAtNow();
        byte[] blob = BlobWriter.header("c", 1, 1).entry(1, 1, -5, "k", new byte[0]).withCrc();
        LedgerException e = refusedAtCall(ledger, blob);
        assertTrue(e.getMessage().contains("sequence 1"), e.getMessage());
    }

    @Test
    void theNilIdIsRefused() {
        Ledger ledger = ledgerAtNow();
        byte[] blob = BlobWriter.header("c", 5, 1).entry(0, 0, NOW, "k", new byte[0]).withCrc();
        LedgerException e = refusedAtCall(ledger, blob);
        assertTrue(e.getMessage().contains("sequence 5") && e.getMessage().contains("nil id"), e.getMessage());
    }

    @Test
    void aRepeatedIdWithinTheBlobIsRefused() {
        Ledger ledger = ledgerAtNow();
        byte[] blob = BlobWriter.header("c", 1, 3).entry(7, 1, NOW, "k", new byte[0])
            .entry(7, 2, NOW, "k", new byte[0]).entry(7, 2, NOW, "k", new byte[0]).withCrc();
        LedgerException e = refusedAtCall(ledger, blob);
        assertTrue(e.getMessage().contains("sequence 3"), e.getMessage());
    }

    @Test
    void aKeptIdCarryingThisServersInstanceBitsIsRefusedAndNothingChanges() {
        Ledger ledger = start();
        Callbacks.Appended a = append(ledger, "other", "k", "an entry whose id a forger copies");
        java.util.UUID id = java.util.UUID.fromString(a.id());
        byte[] forged = BlobWriter.header("victim", 1, 1)
            .entry(id.getMostSignificantBits(), id.getLeastSignificantBits(), 1, "k", new byte[0]).withCrc();
        LedgerException e = rejection(loadAsync(ledger, "victim", forged, false));
        assertEquals(LedgerException.Reason.INVALID_ARGUMENT, e.reason());
        assertTrue(e.getMessage().contains("sequence 1") && e.getMessage().contains(a.id()), e.getMessage());
        assertEquals(0, ledger.view("victim").latestSequence(), "nothing changed");
    }

    @Test
    void aServersOwnEntriesRestoredIntoTheirOwnContextAreSkippedNotRefused() {
        Ledger ledger = start();
        append(ledger, "ctx", "k", "one");
        append(ledger, "ctx", "k", "two");
        byte[] blob = ledger.snapshot("ctx").blob();
        assertEquals(new Callbacks.Loaded(0, 2), load(ledger, "ctx", blob, false));
        assertEquals(new Callbacks.Loaded(2, 2), load(ledger, "copy", blob, false), "fresh ids elsewhere");
    }
}
