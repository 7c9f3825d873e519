package io.converge.ledger.perf.load;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
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

    @Test
    void threadsAreGroupedByTheirNameWithoutNumbers() throws InterruptedException {
        long pid = ProcessHandle.current().pid();
        ServerCpu.Reading before = ServerCpu.read(pid);
        CountDownLatch burned = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] burners = new Thread[2];
        for (int i = 0; i < burners.length; i++) {
            burners[i] = new Thread(() -> {
                burn300ms();
                burned.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS); // alive while read: an ended thread leaves /proc
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "cpu-burner-" + i);
            burners[i].start();
        }
        try {
            assertTrue(burned.await(60, TimeUnit.SECONDS));
            Map<String, Long> used = ServerCpu.Reading.between(before, ServerCpu.read(pid)).groups();
            assertTrue(used.keySet().stream().noneMatch(name -> name.startsWith("cpu-burner-")), used.toString());
            assertTrue(used.getOrDefault("cpu-burner", 0L) >= TimeUnit.MILLISECONDS.toNanos(2 * 280), used.toString());
        } finally {
            release.countDown();
        }
        for (Thread burner : burners) {
            burner.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    private static void burn300ms() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long burnUntil = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(300);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (threads.getCurrentThreadCpuTime() < burnUntil && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
    }
}
