package io.converge.ledger.core;

/**
 * An ordered run of batches from one client stream. Once the sequencer refuses one of
 * them (the memory budget), it refuses every later one too, so a stream never stores
 * anything it sent after a refusal, even batches already in the ring when it happened.
 *
 * <p>Confined to the sequencer thread after construction: it is the one writer and the
 * one reader of {@link #refusal}.
 */
public final class BatchStream {
    /** The first refusal on this stream, or null. */
    LedgerException refusal;
}
