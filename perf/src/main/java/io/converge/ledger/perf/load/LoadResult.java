package io.converge.ledger.perf.load;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * What one run measured. Histograms hold latencies in ns. Immutable once built (the
 * histograms are not copied: do not record into them).
 *
 * @param options            what was run
 * @param measuredNanos      length of the measured phase
 * @param measuredAppends    OK Appends meant to start in the measured phase
 * @param totalAppends       OK Appends of the whole run, warmup included: what the server stored for it
 * @param measuredBatches    batched runs: OK batches meant to start in the measured phase (0 when unary)
 * @param totalBatches       batched runs: OK batches of the whole run (0 when unary)
 * @param errors             failed Appends by status code name (and OK-but-wrong replies); empty when none
 * @param unanswered         Appends (batches, when batched) still in flight when the drain wait ran out
 * @param capWaits           open loop: sends that waited for a free slot under --max-outstanding (batched: batches
 *                           that waited for --window or the call's readiness)
 * @param unsent             open loop: intended sends (batched: batches) given up, still pending 1 s after the end
 * @param senderCpuNanosPerSend open loop: the sender thread's CPU time per Append or batch, in ns (-1: closed loop
 *                           or unknown)
 * @param appendLatency      closed loop: the Append latency; open loop: from the intended start (corrected);
 *                           batched: each batch's latency counted once per entry
 * @param uncorrectedLatency open loop: from the actual send; null in closed loop
 * @param watchLatency       append-to-watch latency; null without watchers
 * @param watchDeliveries    watch events for Appends sent in the measured phase, over all watchers
 * @param watchers           one report per watcher
 * @param clientCpuNanos     CPU time this process used in the measured phase, or -1 when unknown
 * @param serverCpu          CPU time the server's process ({@code --server-pid}) used in the measured phase, in all
 *                           and by thread group; null when not asked for or unknown
 * @param serverSide         the server's latency lines, or null
 * @param warnings           things the operator should know that do not fail the run
 */
record LoadResult(LoadOptions options, long measuredNanos, long measuredAppends, long totalAppends,
    long measuredBatches, long totalBatches,
    Map<String, Long> errors, long unanswered, long capWaits, long unsent, long senderCpuNanosPerSend,
    Histogram appendLatency,
    Histogram uncorrectedLatency, Histogram watchLatency, long watchDeliveries,
    List<WatchSubscribers.WatcherReport> watchers, long clientCpuNanos, ServerCpu.Reading serverCpu, String serverSide,
    List<String> warnings) {

    /** The server's CPU time in the measured phase, in ns; -1 when unknown. */
    long serverCpuNanos() {
        return serverCpu == null ? -1 : serverCpu.totalNanos();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    long completeWatchers() {
        return watchers.stream().filter(WatchSubscribers.WatcherReport::complete).count();
    }

    /** False when any Append failed or went unanswered, or a watcher missed an entry. */
    boolean ok() {
        return errors.isEmpty() && unanswered == 0 && completeWatchers() == watchers.size();
    }

    /** Appends (entries, when batched) per second of the measured phase. */
    double throughputPerSecond() {
        return measuredAppends * 1e9 / measuredNanos;
    }

    /** Batches (calls or stream messages) per second of the measured phase; 0 when unary. */
    double batchesPerSecond() {
        return measuredBatches * 1e9 / measuredNanos;
    }
}
