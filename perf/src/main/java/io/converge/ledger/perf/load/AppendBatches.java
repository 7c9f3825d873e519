package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendBatchRequest;

/**
 * The batches of a batched run, built once from the run's prebuilt Appends and reused
 * for every call (protobuf messages are immutable). Entries go to the contexts
 * round-robin across consecutive batches: entry {@code j} of batch {@code k} goes to
 * context {@code (k * batch + j) % contexts}, so only {@code contexts / gcd(batch, contexts)}
 * distinct batches exist. Immutable; thread-safe.
 */
final class AppendBatches {
    private final AppendBatchRequest[] batches;
    private final int entries;
    private final int contexts;
    private final AppendRequests requests;

    AppendBatches(LoadOptions options, AppendRequests requests) {
        this.entries = options.batch();
        this.contexts = options.contexts();
        this.requests = requests;
        this.batches = new AppendBatchRequest[contexts / gcd(entries, contexts)];
        for (int k = 0; k < batches.length; k++) {
            AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
            int context = firstContext(k);
            for (int j = 0; j < entries; j++) {
                b.addEntries(requests.request(context, 0));
                context = context + 1 == contexts ? 0 : context + 1;
            }
            batches[k] = b.build();
        }
    }

    /** How many distinct batches there are; batch indexes wrap around modulo this. */
    int count() {
        return batches.length;
    }

    /** Entries per batch. */
    int entries() {
        return entries;
    }

    int contexts() {
        return contexts;
    }

    /**
     * Batch {@code k % count()}; with watchers, built now with every entry's payload stamped
     * with the send time (so a watcher can measure append-to-watch latency).
     */
    AppendBatchRequest request(long k) {
        if (!requests.stamped()) {
            return batches[(int) (k % batches.length)];
        }
        long now = System.nanoTime();
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        int context = firstContext(k);
        for (int j = 0; j < entries; j++) {
            b.addEntries(requests.request(context, now));
            context = context + 1 == contexts ? 0 : context + 1;
        }
        return b.build();
    }

    /** The context of the first entry of batch {@code k % count()}; the next entries follow round-robin. */
    int firstContext(long k) {
        return (int) ((k % batches.length) * entries % contexts);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
