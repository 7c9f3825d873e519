package io.converge.ledger.core;

import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/** Base of the tests that start ledgers: every ledger a test starts is closed after it. */
abstract class Ledgers {
    private final List<Ledger> ledgers = new ArrayList<>();

    Ledger start(LedgerConfig config) {
        return adopt(Ledger.start(config));
    }

    /** A ledger the test started itself, to be closed after it like the others. */
    Ledger adopt(Ledger ledger) {
        ledgers.add(ledger);
        return ledger;
    }

    Ledger start() {
        return start(LedgerConfig.defaults());
    }

    @AfterEach
    void closeLedgers() {
        ledgers.forEach(Ledger::close);
    }
}
