/**
 * The ledger engine, with no gRPC in it.
 *
 * <pre>
 *  any thread          ring thread 1          [ring thread 2]     last ring thread          watch threads
 *  ──────────          ─────────────          ───────────────     ────────────────          ─────────────
 *  Ledger.append ─┐
 *  Ledger.load   ─┴─▶ RingBuffer ─▶ Sequencer ─▶ [Journal] ─▶ CompletionHandler ─callback─▶ caller
 *                     (LedgerCommand  sequence,    fsync=always:  answers callers,
 *                      slots, one     id, time;    one force per  WatchFanOut ─signal─▶ WatchCursor ─▶ WatchSink
 *                      Disruptor)     EntryWriter  ring batch     (per-context            reads records
 *                                     writes the record            watchers)
 *                                     (RecordStore), indexes it (ContextWriter), publishes
 *  Ledger.watch ─────▶ WatchFanOut.subscribe (a queue, no ring slot)
 *  Ledger.view / Ledger.snapshot ─▶ lock-free reads: ContextView ▶ ContextLog ▶ records in segments
 *
 *  ledger-segments: SegmentedStore prepares the next segment ahead of the writer
 *  ledger-fsync: IntervalFlusher (fsync=interval)
 * </pre>
 *
 * <p>One writer per piece of state: the {@link io.converge.ledger.core.Sequencer} owns the
 * {@link io.converge.ledger.core.ContextStore}, every
 * {@link io.converge.ledger.core.ContextWriter} and what it writes into the
 * {@link io.converge.ledger.core.RecordStore} (recovery does, before the sequencer starts);
 * the {@link io.converge.ledger.core.CompletionHandler} owns the
 * {@link io.converge.ledger.core.WatchFanOut} registry; each
 * {@link io.converge.ledger.core.WatchCursor} owns its position.
 */
package io.converge.ledger.core;
