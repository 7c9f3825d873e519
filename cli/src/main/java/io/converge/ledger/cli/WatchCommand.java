package io.converge.ledger.cli;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.WatchEvent;
import io.converge.context.v1.WatchRequest;
import io.converge.ledger.cli.client.EntryPages;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

@Command(name = "watch", description = {
    "Prints the stored entries of CONTEXT after --from, then each new one as it is appended, like tail -f, "
        + "until Ctrl-C.",
    "Says on standard error when it has caught up with the stored entries."})
final class WatchCommand extends LedgerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    @Option(names = "--key", paramLabel = "K", description = "only entries with this key")
    String key = "";

    @Option(names = "--from", paramLabel = "N", description = "entries after sequence N (default 0: every one)")
    long from;

    @Option(names = "--count", paramLabel = "N", description = "stop after N entries (default: follow until Ctrl-C)")
    long count;

    @Option(names = "--raw", description = "print only the payloads' bytes, back to back")
    boolean raw;

    @Override
    public Integer call() {
        if (from < 0 || count < 0) {
            throw new CliFailure(ExitCodes.USAGE, "--from and --count take a number from 0");
        }
        EntryOutput output = new EntryOutput(EntryOutput.style(json, raw), out(), app.binaryOut, context);
        ManagedChannel channel = connection.open();
        Context.CancellableContext call = Context.current().withCancellation();
        AtomicLong shown = new AtomicLong();
        AtomicLong last = new AtomicLong(from);
        Thread onSignal = new Thread(() -> {
            call.cancel(null);
            out().flush();
            err().println("-- stopped after " + shown.get() + " entries (last sequence " + last.get() + ")");
            err().flush();
        }, "converge-ledger-watch-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            long caughtUpAt = new EntryPages(blocking(channel, DEFAULT_TIMEOUT)).lastMatching(context, key, from);
            err().println("-- watching " + context + (key.isEmpty() ? "" : " (key " + key + ")") + " after sequence "
                + from + "; Ctrl-C stops");
            boolean caughtUp = caughtUpAt <= from;
            if (caughtUp) {
                err().println("-- caught up: no stored entries after sequence " + from + "; waiting for new ones");
            }
            err().flush();
            ContextServiceGrpc.ContextServiceBlockingStub stub = ContextServiceGrpc.newBlockingStub(channel);
            long nanos = connection.deadlineNanos(null);
            if (nanos > 0) {
                stub = stub.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
            }
            ContextServiceGrpc.ContextServiceBlockingStub watching = stub;
            return call.call(() -> {
                Iterator<WatchEvent> events = watching.watch(WatchRequest.newBuilder().setContextId(context).setKey(key)
                    .setFromSequence(from).build());
                boolean caught = caughtUp;
                while (events.hasNext()) {
                    WatchEvent event = events.next();
                    output.print(event.getEntry());
                    shown.incrementAndGet();
                    last.set(event.getEntry().getSequence());
                    if (!caught && event.getEntry().getSequence() >= caughtUpAt) {
                        caught = true;
                        err().println("-- caught up at sequence " + caughtUpAt + "; following new entries");
                        err().flush();
                    }
                    if (count > 0 && shown.get() >= count) {
                        call.cancel(null);
                        return ExitCodes.OK;
                    }
                }
                err().println("-- the server ended the watch (it is shutting down) after " + shown.get() + " entries");
                return ExitCodes.OK;
            });
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.CANCELLED && call.isCancelled()) {
                return ExitCodes.OK;
            }
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it prints the summary
            }
            call.cancel(null);
            Connection.close(channel);
        }
    }
}
