package io.converge.ledger.core;

import com.lmax.disruptor.ExceptionHandler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a fault in a ring handler does. It is logged and counted, and the ring goes on with
 * the next command. A fault in the {@link Sequencer} refuses the command in hand with
 * INTERNAL (its message says nothing of the exception: that stays in the server's log), so
 * the completion handler still answers it. An {@link Error} (out of memory, say) marks
 * the ledger failed: from then on it refuses every new command with UNAVAILABLE, and the
 * failure listener (the transport's health) is told once.
 *
 * <p>Thread-safe: each handler's thread calls its own exception handler.
 */
final class RingFaults {
    private static final System.Logger LOG = System.getLogger(RingFaults.class.getName());

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

    private void fault(String stage, Throwable e, LedgerCommand command, boolean refuse) {
        faults.incrementAndGet();
        LOG.log(System.Logger.Level.ERROR, "the " + stage + " failed on a " + (command == null ? "command" : command.type)
            + " command", e);
        if (refuse && command != null) {
            LedgerException internal = new LedgerException(LedgerException.Reason.INTERNAL,
                "the server failed while storing this request; nothing of it was acknowledged");
            if (command.type == LedgerCommand.Type.BATCH_APPEND && command.batch != null) {
                command.batch.rejection = internal;
            } else {
                command.rejection = internal;
            }
        }
        if (e instanceof Error && failure == null) {
            failure = "the ledger stopped after a fault in its " + stage + ": " + e.getClass().getSimpleName();
            onFailure.run();
        }
    }

    private final class Handler implements ExceptionHandler<LedgerCommand> {
        private final String stage;
        private final boolean refuse;

        Handler(String stage, boolean refuse) {
            this.stage = stage;
            this.refuse = refuse;
        }

        @Override
        public void handleEventException(Throwable e, long sequence, LedgerCommand command) {
            fault(stage, e, command, refuse);
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
