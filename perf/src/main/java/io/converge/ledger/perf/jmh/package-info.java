/**
 * JMH benchmarks of the core, without gRPC or protobuf.
 *
 * <pre>
 *  AppendBenchmark    producers ──append──▶ ring ──▶ Sequencer ──▶ CompletionHandler   (target "ledger")
 *                     producers ──append──▶ ring ──▶ handler that does nothing         (target "noop-ring", the limit)
 *  GetBenchmark       ContextView.nextMatching / entry over 100 consecutive entries (GetPager's core part)
 *  SnapshotBenchmark  Ledger.snapshot of one context of 100,000 entries
 * </pre>
 *
 * <p>Run them with {@code java -jar perf/target/converge-ledger-perf.jar jmh [JMH options]};
 * {@code perf/JMH.md} gives the command lines and what each figure means.
 */
package io.converge.ledger.perf.jmh;
