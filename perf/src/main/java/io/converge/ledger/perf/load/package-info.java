/**
 * The gRPC load generator, {@code converge-ledger-perf.jar load}: drives Appends at a
 * server and measures them with HdrHistogram.
 *
 * <pre>
 *  LoadMain ── LoadOptions.parse ── LoadRunner.run ──────────────────────────┐
 *                                    │                                       │
 *                ClientChannels (N Netty NIO channels, directExecutor)       │
 *                 │          │                                               │
 *   ClosedLoopDriver   OpenLoopDriver (one sender thread,        WatchSubscribers
 *   (callers re-issue   intended time t0 + i/rate, pooled        (one stream per watcher,
 *    from the reply      observers up to --max-outstanding)        gap check, stamp latency)
 *    callback)                │
 *        └── AppendOutcomes (OK / by status code), LatencyRecorder (HdrHistogram Recorder, ns)
 *                                    │
 *  LoadResult ── LatencyReport (text, RESULT line) · HgrmWriter (.hgrm, µs) · PercentilePlot (HTML+SVG)
 * </pre>
 *
 * <p>Callbacks (replies, watch events) run on the client's Netty event loop threads and
 * never block; everything recorded from them goes through thread-safe adders and
 * wait-free HdrHistogram {@code Recorder}s. Latencies are recorded in nanoseconds and
 * reported in microseconds.
 */
package io.converge.ledger.perf.load;
