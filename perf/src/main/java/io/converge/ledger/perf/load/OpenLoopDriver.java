package io.converge.ledger.perf.load;

import io.converge.context.v1.AppendResponse;
import io.grpc.stub.StreamObserver;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The open loop: one sender thread (the one calling {@link #run}) releases Append
 * {@code i} at its intended time {@code start + i / rate}, whether or not earlier calls
 * have been answered; when it is late it releases at once, catching up. Append {@code i}
 * goes to context {@code i % contexts} over channel {@code i % channels}, and is issued
 * on that channel's event loop thread (see {@link ClientChannels}): the sender only
 * hands it over.
 *
 * <p>Two latencies are recorded per reply, in ns, for calls whose intended time falls in
 * the measured phase: from the <em>intended</em> start (the corrected histogram, free of
 * coordinated omission: a sender or server stall shows up in every call it delayed) and
 * from the actual send, the stub call on the event loop (the uncorrected one, what a naive
 * client would report).
 *
 * <p>At most {@code maxOutstanding} calls are in flight: their observers come from a
 * preallocated pool. A send that finds the pool empty waits for a free one (counted in
 * {@link #capWaits}); the wait is part of its corrected latency. Every intended send of
 * the run is issued, however late, unless the sender is still behind
 * {@link #LATE_SEND_GRACE_NANOS} after the measured phase ended; {@link #unsent} counts
 * those it then gives up on.
 */
final class OpenLoopDriver implements AppendDriver {
    /** How long after the measured phase a sender that fell behind keeps issuing the run's intended sends. */
    static final long LATE_SEND_GRACE_NANOS = 1_000_000_000L;

    private final LoadOptions options;
    private final ClientChannels channels;
    private final AppendRequests requests;
    private final AppendOutcomes outcomes;
    private final LatencyRecorder corrected;
    private final LatencyRecorder uncorrected;
    private final ArrayBlockingQueue<Call> free;
    private long capWaits;
    private long unsent;
    private long sent;
    private long senderCpuNanos = -1;

    OpenLoopDriver(LoadOptions options, ClientChannels channels, AppendRequests requests, AppendOutcomes outcomes,
        LatencyRecorder corrected, LatencyRecorder uncorrected) {
        this.options = options;
        this.channels = channels;
        this.requests = requests;
        this.outcomes = outcomes;
        this.corrected = corrected;
        this.uncorrected = uncorrected;
        this.free = new ArrayBlockingQueue<>(options.maxOutstanding());
        for (int i = 0; i < options.maxOutstanding(); i++) {
            free.add(new Call());
        }
    }

    @Override
    public long run(MeasurementWindow window) throws InterruptedException {
        double nanosPerCall = 1e9 / options.rate();
        long total = (long) Math.ceil((window.endNanos() - window.startNanos()) / nanosPerCall);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuAtStart = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        long giveUpAt = window.endNanos() + LATE_SEND_GRACE_NANOS;
        long i = 0;
        for (; i < total; i++) {
            long intended = window.startNanos() + (long) (i * nanosPerCall);
            long now = System.nanoTime();
            while (intended - now > 0) {
                LockSupport.parkNanos(intended - now);
                now = System.nanoTime();
            }
            if (now - giveUpAt >= 0) {
                break;
            }
            Call call = free.poll();
            if (call == null) {
                capWaits++;
                call = free.poll(giveUpAt - now, TimeUnit.NANOSECONDS);
                if (call == null) {
                    break;
                }
            }
            int channel = (int) (i % channels.size());
            call.prepare((int) (i % options.contexts()), channel, intended, window.measures(intended));
            channels.eventLoop(channel).execute(call);
        }
        sent = i;
        unsent = total - i;
        if (cpuAtStart >= 0) {
            senderCpuNanos = threads.getCurrentThreadCpuTime() - cpuAtStart;
        }
        long drainUntil = System.nanoTime() + DRAIN_WAIT_NANOS;
        while (free.size() < options.maxOutstanding() && drainUntil - System.nanoTime() > 0) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return options.maxOutstanding() - free.size();
    }

    /** Sends that found {@code maxOutstanding} calls in flight and had to wait. Read after {@link #run}. */
    @Override
    public long capWaits() {
        return capWaits;
    }

    /** Intended sends of the run given up on: the sender was still behind a grace second after it ended. */
    @Override
    public long unsent() {
        return unsent;
    }

    /**
     * CPU time the sender thread spent per Append it released, in ns (waiting for the
     * intended time and handing the call to its event loop), or -1 when unknown. Near the send interval, the sender
     * itself cannot keep the schedule. Read after {@link #run}.
     */
    @Override
    public long senderCpuNanosPerSend() {
        return senderCpuNanos < 0 || sent == 0 ? -1 : senderCpuNanos / sent;
    }

    /**
     * One call in flight: prepared by the sender, issued ({@link #run}) and completed on
     * its channel's event loop thread, then back in the pool. The hand-overs (the loop's
     * task queue, the pool's lock) order the writes of one thread before the next's reads.
     */
    private final class Call implements StreamObserver<AppendResponse>, Runnable {
        private int context;
        private int channel;
        private long intendedNanos;
        private long sentNanos;
        private boolean measured;
        private AppendResponse reply;

        void prepare(int toContext, int onChannel, long intended, boolean isMeasured) {
            this.context = toContext;
            this.channel = onChannel;
            this.intendedNanos = intended;
            this.measured = isMeasured;
            this.reply = null;
        }

        @Override
        public void run() {
            sentNanos = System.nanoTime();
            channels.stub(channel).append(requests.request(context, sentNanos), this);
        }

        @Override
        public void onNext(AppendResponse value) {
            reply = value;
        }

        @Override
        public void onError(Throwable t) {
            outcomes.failed(t);
            free.add(this);
        }

        @Override
        public void onCompleted() {
            long now = System.nanoTime();
            if (outcomes.replied(context, reply, requests.payloadBytes(), measured) && measured) {
                corrected.record(now - intendedNanos);
                uncorrected.record(now - sentNanos);
            }
            free.add(this);
        }
    }
}
