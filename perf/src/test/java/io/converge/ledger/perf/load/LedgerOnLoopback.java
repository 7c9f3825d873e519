package io.converge.ledger.perf.load;

import io.converge.ledger.transport.LedgerServer;
import io.converge.ledger.transport.ServerSettings;
import io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A real ledger server on a free loopback port, for the load generator to aim at; closed by the test. */
final class LedgerOnLoopback implements AutoCloseable {
    final LedgerServer server;

    LedgerOnLoopback() throws IOException {
        server = LedgerServer.start(NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            0)), ServerSettings.defaults().withPort(0));
    }

    /** {@code --target} for this server. */
    String target() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.port();
    }

    /** Entries the server stored, summed over the run's contexts, read from the ledger itself. */
    long storedIn(LoadOptions options) {
        long stored = 0;
        for (int i = 0; i < options.contexts(); i++) {
            stored += server.ledger().view(options.contextId(i)).latestSequence();
        }
        return stored;
    }

    @Override
    public void close() {
        server.close();
    }
}
