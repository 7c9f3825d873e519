package io.converge.ledger.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;

import java.io.IOException;

/**
 * Base of the contract tests: each test gets a fresh server and channel over the
 * {@link Transport} that the subclass's {@code @ParameterizedClass @EnumSource(Transport.class)}
 * injects, so every contract test runs both in-process and over Netty on loopback.
 */
abstract class ServedOverBothTransports {
    @Parameter
    Transport transport;

    LedgerFixture fixture;

    /** The server's settings; the defaults unless a test class needs other limits. */
    ServerSettings settings() {
        return ServerSettings.defaults();
    }

    @BeforeEach
    void startServer() throws IOException {
        fixture = LedgerFixture.start(transport, settings());
    }

    @AfterEach
    void stopServer() {
        fixture.close();
    }
}
