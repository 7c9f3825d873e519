package io.converge.ledger.perf.load;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCpuTest {

    @Test
    void aProcessThatBurnsCpuShowsItsTimeGrowInProc() {
        long pid = ProcessHandle.current().pid();
        long before = ServerCpu.cpuNanos(pid);
        assertTrue(before > 0, "this JVM has used CPU before the test: " + before);
        // Burn 300 ms of this thread's CPU (30 clock ticks), whatever the machine's load; the process's count
        // grows by at least that, less a tick of rounding at each end.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long burnUntil = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(300);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (threads.getCurrentThreadCpuTime() < burnUntil && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        long after = ServerCpu.cpuNanos(pid);
        assertTrue(after - before >= TimeUnit.MILLISECONDS.toNanos(280), (after - before) + " ns more");
    }

    @Test
    void aProcessThatDoesNotExistHasNoCpuTime() {
        assertEquals(-1, ServerCpu.cpuNanos(Long.MAX_VALUE));
    }
}
