package io.converge.ledger.perf.jmh;

import io.converge.ledger.core.LedgerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Append throughput: appends accepted per second, by 1 or 2 producer threads, into the
 * ledger ({@code target=ledger}) or into the same Disruptor ring with a handler that does
 * nothing ({@code target=noop-ring}), the limit the ring alone sets.
 *
 * <p>Each append goes to one context or to the next of 10,000 (round-robin per producer,
 * over prebuilt ids), with key {@code ""}, no metadata and one preallocated payload
 * reused for every append; its callback is a shared no-op. The target is started afresh
 * for each iteration and, after it, drained (every counted append completed) and closed,
 * so the stored entries never outgrow the heap.
 *
 * <p>JMH counts an append when the producer's call returns, that is once it is in the ring.
 * When a measurement ends, the appends still in the ring (at most its 65,536 slots) are
 * counted though they complete during the drain: a score is high by at most 65,536 divided
 * by the iteration time (32,768 ops/s with the default 2 s; {@code -r} lengthens it). The
 * ledger's ring is usually full by then, the no-op ring's seldom.
 *
 * <p>Fork JVM: a fixed 4 GiB heap (no resizing between iterations) and the Parallel
 * collector, named rather than left to ergonomics so runs compare across machines, and
 * with no concurrent GC threads to compete with the ring's two threads and the producers
 * for the cores. The ledger keeps its records off the heap, in direct memory (the
 * embedded default, {@code LedgerConfig.defaults()}): one iteration's records must fit
 * {@code -XX:MaxDirectMemorySize}, 12 GiB here (2 s at 8 M appends/s of 136-byte records
 * is 2.2 GB; a 4 KiB payload makes a record 4.2 KB, so at 4 KiB keep {@code -r} short).
 * A record that does not fit is refused and fails the iteration, naming the limit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC", "-XX:MaxDirectMemorySize=12g"})
public class AppendBenchmark {
    /** The longest wait for the ring to drain after an iteration, in seconds. */
    private static final long DRAIN_TIMEOUT_SECONDS = 60;

    /** Which ring the producers publish into: {@code ledger} or {@code noop-ring}. */
    @Param({AppendTarget.LEDGER, AppendTarget.NOOP_RING})
    public String target;

    /** How many contexts the appends are spread over. */
    @Param({"1", "10000"})
    public int contexts;

    /** Size of every payload, in bytes. */
    @Param({"64", "4096"})
    public int payloadBytes;

    /**
     * The ring consumers' wait ({@code LEDGER_WAIT_STRATEGY}'s names). The default is the
     * server's; {@code busy-spin} gives the fastest hand-off the ring can do, which is the
     * fairer limit: a do-nothing consumer is always caught up, so with a parking wait every
     * publish pays to wake it.
     */
    @Param({"parking"})
    public String wait;

    private final Map<String, String> metadata = Map.of();
    private String[] contextIds;
    private byte[] payload;
    private AppendTarget sink;

    @Setup(Level.Trial)
    public void prepare() {
        contextIds = new String[contexts];
        for (int i = 0; i < contexts; i++) {
            contextIds[i] = String.format("jmh-context-%05d", i);
        }
        payload = new byte[payloadBytes];
        new SplittableRandom(42).nextBytes(payload);
    }

    @Setup(Level.Iteration)
    public void startTarget() {
        sink = AppendTarget.start(target, BenchmarkLedgers.config().withWaitStrategy(LedgerConfig.Wait.parse(wait)));
    }

    /** Drains before it stops, so that every counted append really completed. */
    @TearDown(Level.Iteration)
    public void drainAndStop() {
        try {
            sink.drain(DRAIN_TIMEOUT_SECONDS);
            NoOpAppendCallback.checkNoneRejected();
        } finally {
            sink.close();
            sink = null;
            // The stopped target's entries are garbage now: collect them here, outside the
            // measurement, rather than in a later iteration's.
            System.gc();
        }
    }

    /** One producer thread's position in the round-robin over the context ids. */
    @State(Scope.Thread)
    public static class Producer {
        private int next;

        /** Producers start apart, so that two do not walk the contexts in step. */
        @Setup(Level.Trial)
        public void start(AppendBenchmark benchmark, ThreadParams thread) {
            next = (int) ((long) benchmark.contexts * thread.getThreadIndex() / thread.getThreadCount());
        }

        String nextContext(String[] ids) {
            String id = ids[next];
            if (++next == ids.length) {
                next = 0;
            }
            return id;
        }
    }

    @Benchmark
    @Threads(1)
    public void oneProducer(Producer producer) {
        sink.append(producer.nextContext(contextIds), "", payload, metadata, NoOpAppendCallback.INSTANCE);
    }

    @Benchmark
    @Threads(2)
    public void twoProducers(Producer producer) {
        sink.append(producer.nextContext(contextIds), "", payload, metadata, NoOpAppendCallback.INSTANCE);
    }
}
