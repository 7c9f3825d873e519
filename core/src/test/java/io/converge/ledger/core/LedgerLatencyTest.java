package io.converge.ledger.core;

import io.converge.ledger.core.Callbacks.AppendFuture;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.converge.ledger.core.Callbacks.TIMEOUT_SECONDS;
import static io.converge.ledger.core.Callbacks.append;
import static io.converge.ledger.core.Callbacks.appendAsync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class LedgerLatencyTest extends Ledgers {

    /** The histogram once it holds {@code count} values; the completion thread records after the callback returns. */
    private static Histogram awaitCount(Supplier<Histogram> read, long count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            Histogram h = read.get();
            if (h.getTotalCount() >= count || System.nanoTime() - deadline > 0) {
                return h;
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void everyAppendIsRecordedOnceInBothHistograms() {
        Ledger ledger = start();
        List<AppendFuture> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(appendAsync(ledger, "ctx-" + (i % 7), "k", Bytes.utf8("p" + i), Map.of()));
        }
        futures.forEach(AppendFuture::await);
        LedgerLatency latency = ledger.latency();
        assertEquals(500, awaitCount(latency.publishToSequenced()::sinceStart, 500).getTotalCount());
        assertEquals(500, awaitCount(latency.publishToReply()::sinceStart, 500).getTotalCount());
    }

    @Test
    void refusedAppendsAreRecordedToo() {
        Ledger ledger = start(LedgerConfig.defaults().withMemoryBudgetBytes(0));
        AppendFuture refused = appendAsync(ledger, "ctx", "k", Bytes.utf8("over budget"), Map.of());
        Callbacks.rejection(refused);
        assertEquals(1, awaitCount(ledger.latency().publishToSequenced()::sinceStart, 1).getTotalCount());
    }

    @Test
    void theReplyLatencyIncludesTheTimeTheCallbackTakes() {
        Ledger ledger = start();
        long callbackNanos = TimeUnit.MILLISECONDS.toNanos(30);
        AppendFuture done = new AppendFuture();
        AppendCallback slow = new AppendCallback() {
            @Override
            public void onAppended(long sequence, long idHi, long idLo, long appendedAtNs) {
                long until = System.nanoTime() + callbackNanos;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                done.onAppended(sequence, idHi, idLo, appendedAtNs);
            }

            @Override
            public void onRejected(LedgerException reason) {
                done.onRejected(reason);
            }
        };
        ledger.append("ctx", "k", Bytes.utf8("slow"), Map.of(), slow);
        done.await();
        Histogram reply = awaitCount(ledger.latency().publishToReply()::sinceStart, 1);
        Histogram sequenced = awaitCount(ledger.latency().publishToSequenced()::sinceStart, 1);
        assertTrue(reply.getMaxValue() >= callbackNanos * 0.99, "publish→reply " + reply.getMaxValue() + " ns");
        assertTrue(sequenced.getMaxValue() <= reply.getMaxValue(), "sequenced after the reply?");
    }

    @Test
    void aWindowHoldsOnlyWhatWasRecordedSinceItsReset() {
        Ledger ledger = start();
        LatencyRecorder sequenced = ledger.latency().publishToSequenced();
        for (int i = 0; i < 10; i++) {
            append(ledger, "ctx", "k", "before");
        }
        awaitCount(sequenced::window, 10);
        sequenced.resetWindow();
        assertEquals(0, sequenced.window().getTotalCount());
        for (int i = 0; i < 3; i++) {
            append(ledger, "ctx", "k", "after");
        }
        assertEquals(3, awaitCount(sequenced::window, 3).getTotalCount());
        assertEquals(13, awaitCount(sequenced::sinceStart, 13).getTotalCount());
    }

    @Test
    void aValueBeyondTheTrackableRangeIsRecordedAsTheHighest() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(Long.MAX_VALUE);
        recorder.record(-5);
        Histogram h = recorder.sinceStart();
        assertEquals(2, h.getTotalCount());
        if (!h.valuesAreEquivalent(h.getMaxValue(), LatencyRecorder.HIGHEST_TRACKABLE_NANOS)) {
            fail("max " + h.getMaxValue());
        }
        assertEquals(0, h.getMinValue());
    }
}
