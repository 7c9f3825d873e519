package io.converge.ledger.core;

import com.lmax.disruptor.ExceptionHandler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a fault in a ring handler does. It is logged and counted, and the ring goes on with
 * the next command. A fault in the {@link Sequencer} refuses the command in hand with
 * INTERNAL (its message says nothing of the exception: that stays in the server's log), so
 * the completion handler still answers it. An {@link Error} (out of memory, say) marks
 * the ledger failed: from then on it refuses every new command with UNAVAILABLE, and the
 * failure listener (the transport's health) is told once. The ledger's other threads
 * report their faults here too ({@link #threadFault}), so none of them dies silently.
 * Handling a fault never throws, even with the heap exhausted.
 *
 * <p>Thread-safe: each handler's thread calls its own exception handler.
 */
final class RingFaults {
    private static final System.Logger LOG = System.getLogger(RingFaults.class.getName());

    /** The failure when even composing its message fails (the heap exhausted). */
    private static final String STOPPED = "the ledger stopped after a fault in a ring stage; see the server's log";

    private final AtomicLong faults = new AtomicLong();
    private volatile String failure;
    private volatile Runnable onFailure = () -> { };

    /** Handler faults since start. */
    long count() {
        return faults.get();
    }

    /** Why the ledger failed for good, or null while it runs. */
    String failure() {
        return failure;
    }

    /** Run once, on the faulting thread, when the ledger fails for good; must not block. */
    void onFailure(Runnable listener) {
        this.onFailure = listener;
    }

    /** For the sequencer: a fault refuses the command in hand with INTERNAL. */
    ExceptionHandler<LedgerCommand> refusing(String stage) {
        return new Handler(stage, true);
    }

    /** For a later handler, which may have answered the command already: a fault is logged and counted only. */
    ExceptionHandler<LedgerCommand> logging(String stage) {
        return new Handler(stage, false);
    }

    /**
     * For the ledger's other threads (segment preparation, fsync, watch delivery): a fault
     * there is logged and counted, and an {@link Error} stops the ledger as one in a ring
     * stage does. Never throws.
     */
    void threadFault(String thread, Throwable e) {
        faults.incrementAndGet();
        log("the ledger's thread " + thread + " failed", e);
        if (e instanceof Error) {
            stop(thread, e);
        }
    }

    /** A fault the ledger cannot go on from on one of its threads: logged, counted, and the ledger stops. Never throws. */
    void stopOn(String thread, Throwable e) {
        faults.incrementAndGet();
        log("the ledger's thread " + thread + " failed", e);
        stop(thread, e);
    }

    /** Logs, unless even that fails (the heap exhausted): the fault must still be handled. */
    private static void log(String what, Throwable e) {
        try {
            LOG.log(System.Logger.Level.ERROR, what, e);
        } catch (Throwable ignored) {
            // Nothing more can be done; the failure itself is kept and reported by health.
        }
    }

    private void stop(String stage, Throwable e) {
        if (failure != null) {
            return;
        }
        String why;
        try {
            why = "the ledger stopped after a fault in its " + stage + ": " + e.getClass().getSimpleName();
        } catch (Throwable noRoom) {
            why = STOPPED;
        }
        failure = why;
        try {
            onFailure.run();
        } catch (Throwable listenerFailed) {
            log("the ledger's failure listener failed", listenerFailed);
        }
    }

    private void fault(String stage, Throwable e, LedgerCommand command, boolean refuse) {
        faults.incrementAndGet();
        log("the " + stage + " failed on a " + (command == null ? "command" : command.type) + " command", e);
        if (refuse && command != null) {
            LedgerException internal = new LedgerException(LedgerException.Reason.INTERNAL,
                "the server failed while storing this request; nothing of it was acknowledged");
            if (command.type == LedgerCommand.Type.BATCH_APPEND && command.batch != null) {
                command.batch.rejection = internal;
            } else {
                command.rejection = internal;
            }
        }
        if (e instanceof Error) {
            stop(stage, e);
        }
    }

    private final class Handler implements ExceptionHandler<LedgerCommand> {
        private final String stage;
        private final boolean refuse;

        Handler(String stage, boolean refuse) {
            this.stage = stage;
            this.refuse = refuse;
        }

        /** Never throws: a throw here would end the handler's thread, and the ring would stall behind it. */
        @Override
        public void handleEventException(Throwable e, long sequence, LedgerCommand command) {
            try {
                fault(stage, e, command, refuse);
            } catch (Throwable t) {
                if (failure == null) {
                    failure = STOPPED;
                }
            }
        }

        @Override
        public void handleOnStartException(Throwable e) {
            fault(stage + " (starting)", e, null, false);
        }

        @Override
        public void handleOnShutdownException(Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "the " + stage + " failed while stopping", e);
        }
    }
}
