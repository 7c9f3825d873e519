package io.converge.ledger.transport;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyCoalescerTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final ReplyCoalescer replies = new ReplyCoalescer();
    private final List<String> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopLoop() throws InterruptedException {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    private Runnable send(String name) {
        return () -> sent.add(name + "@" + (loop.inEventLoop() ? "loop" : "caller"));
    }

    private void awaitLoopIdle() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(done::countDown);
        assertTrue(done.await(10, TimeUnit.SECONDS), "the loop did not run a task within 10 s");
    }

    @Test
    void repliesWaitForTheEndOfTheBatchAndThenRunOnTheirLoopInOrder() throws InterruptedException {
        replies.reply(loop, send("a"));
        replies.reply(loop, send("b"));
        awaitLoopIdle();
        assertEquals(List.of(), sent, "nothing is sent before the batch ends");
        replies.run();
        awaitLoopIdle();
        assertEquals(List.of("a@loop", "b@loop"), sent);
    }

    @Test
    void aCallThatDidNotComeInOnAnEventLoopIsAnsweredAtOnce() {
        replies.reply(null, send("in-process"));
        assertEquals(List.of("in-process@caller"), sent);
    }

    @Test
    void oneFailingReplyDoesNotKeepTheOthersFromTheirs() throws InterruptedException {
        replies.reply(loop, () -> {
            throw new IllegalStateException("call already cancelled");
        });
        replies.reply(loop, send("after"));
        replies.run();
        awaitLoopIdle();
        assertEquals(List.of("after@loop"), sent);
    }

    @Test
    void aStoppedLoopsRepliesAreSentFromTheCallingThread() throws InterruptedException {
        EventExecutor stopped = new DefaultEventLoop();
        stopped.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        replies.reply(stopped, send("late"));
        replies.run();
        assertEquals(List.of("late@caller"), sent);
    }
}
