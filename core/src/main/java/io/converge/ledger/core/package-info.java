/**
 * The ledger engine, with no gRPC in it.
 *
 * <pre>
 *   any thread                    ring thread 1            ring thread 2                 watch threads
 *  ─────────────                 ──────────────           ──────────────────            ───────────────
 *  Ledger.append ─┐
 *  Ledger.load   ─┼─▶ RingBuffer ─▶ Sequencer ──────────▶ CompletionHandler ─callback─▶ caller
 *  Ledger.watch  ─┘  (LedgerCommand  assigns sequence,     answers callers,
 *                      slots, one     id, time; writes     WatchFanOut registry ─signal─▶ WatchCursor ─▶ WatchSink
 *                      Disruptor)     ContextStore/        (per-context watchers)          reads ContextLog
 *                                     ContextLog, publishes
 *  Ledger.view / Ledger.snapshot ──────────── lock-free reads of published entries (ContextView, SnapshotCodec)
 * </pre>
 *
 * <p>One writer per piece of state: the {@link io.converge.ledger.core.Sequencer} owns the
 * {@link io.converge.ledger.core.ContextStore} and every
 * {@link io.converge.ledger.core.ContextLog}; the
 * {@link io.converge.ledger.core.CompletionHandler} owns the
 * {@link io.converge.ledger.core.WatchFanOut}; each
 * {@link io.converge.ledger.core.WatchCursor} owns its position.
 */
package io.converge.ledger.core;
