package io.converge.ledger.perf.load;

import io.converge.ledger.transport.BaselineServer;
import io.converge.ledger.transport.ServerSettings;
import io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The no-op baseline server on a free loopback port, for the load generator to aim at; closed by the test. */
final class BaselineOnLoopback implements AutoCloseable {
    private final BaselineServer server;

    BaselineOnLoopback() throws IOException {
        server = BaselineServer.start(NettyServerBuilder.forAddress(new InetSocketAddress(
            InetAddress.getLoopbackAddress(), 0)), ServerSettings.defaults().withPort(0));
    }

    /** {@code --target} for this server. */
    String target() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
