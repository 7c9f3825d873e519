package io.converge.ledger.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * UDP ports for test cluster members (this module's tests and the transport's, through the
 * test-jar). Each member takes {@link ClusterMembers#PORTS_PER_MEMBER} from a base. Thread-safe.
 */
public final class TestPorts {
    /** The next base port to try: from a random point, then onwards, five apart. */
    private static final AtomicInteger NEXT_BASE = new AtomicInteger(5 * ThreadLocalRandom.current().nextInt(2_400));

    private TestPorts() {
    }

    /**
     * A base port whose five UDP ports from it are free now: below Linux's ephemeral range
     * (32768 up), where Aeron's own ":0" endpoints land and could take a member's port while it
     * is down; each base handed out once in this JVM, so no two members' ranges overlap.
     */
    public static int freeBase() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + Math.floorMod(NEXT_BASE.getAndAdd(ClusterMembers.PORTS_PER_MEMBER), 12_000);
            List<DatagramSocket> held = new ArrayList<>();
            try {
                for (int p = base; p < base + ClusterMembers.PORTS_PER_MEMBER; p++) {
                    held.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p)));
                }
                return base;
            } catch (IOException taken) {
                // try another
            } finally {
                held.forEach(DatagramSocket::close);
            }
        }
        throw new IOException("no five free UDP ports found");
    }
}
