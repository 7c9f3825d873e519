package io.converge.ledger.perf.load;

/** A command line the load generator cannot run; the message says which option is wrong and why. */
public final class BadOptionsException extends Exception {
    BadOptionsException(String message) {
        super(message);
    }
}
