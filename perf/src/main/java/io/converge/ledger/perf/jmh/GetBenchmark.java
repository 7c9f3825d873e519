package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.ContextView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * One page of a Get, the core's part: what the gRPC Get does before protobuf
 * ({@code GetPager.page}): take a {@link ContextView} with the key filter, then walk
 * {@code nextMatching} and {@code entry} for 100 consecutive entries and look one entry
 * further for {@code has_more}. Time per page, in microseconds.
 *
 * <p>The context is a {@link FilledLedger}'s; the filter is {@code ""} (every entry matches). Successive pages move through
 * the whole context (after 0, 100, ... then from the start again), so the figure averages
 * over the log's small early chunks and its large later ones.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class GetBenchmark {
    /** Entries per page, as a Get with {@code limit = 100}. */
    static final int PAGE = 100;
    static final String KEY_FILTER = "";

    /** One reader thread's next page: the sequence the page starts after. */
    @State(Scope.Thread)
    public static class Reader {
        private long after;

        long nextPageAfter(long latest) {
            long start = after;
            after = start + PAGE < latest ? start + PAGE : 0;
            return start;
        }
    }

    /** @return the first sequence after the page, 0 when none: {@code has_more} is whether it is not 0 */
    @Benchmark
    public long getPage(FilledLedger filled, Reader reader, Blackhole bh) {
        ContextView view = filled.ledger.view(FilledLedger.CONTEXT, KEY_FILTER);
        bh.consume(view.latestSequence());
        long count = 0;
        long next = view.nextMatching(KEY_FILTER, reader.nextPageAfter(view.latestSequence()));
        while (next != 0 && count < PAGE) {
            bh.consume(view.entry(next));
            count++;
            next = view.nextMatching(KEY_FILTER, next);
        }
        return next;
    }
}
