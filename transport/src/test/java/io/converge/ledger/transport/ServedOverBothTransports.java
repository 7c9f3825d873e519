package io.converge.ledger.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of the contract tests: each test gets a fresh server and channel over the
 * {@link Transport} and on the {@link Storage} that the subclass's
 * {@code @ParameterizedClass @MethodSource(SERVERS)} injects, so every contract test runs
 * in-process and over Netty on loopback, each with records in memory and in files.
 */
abstract class ServedOverBothTransports {
    /** The parameter source of every contract test class: each transport with each storage. */
    static final String SERVERS = "io.converge.ledger.transport.ServedOverBothTransports#servers";

    @Parameter(0)
    Transport transport;

    @Parameter(1)
    Storage storage;

    @TempDir
    Path tempDir;

    LedgerFixture fixture;

    static List<Arguments> servers() {
        List<Arguments> servers = new ArrayList<>();
        for (Transport t : Transport.values()) {
            for (Storage s : Storage.values()) {
                servers.add(Arguments.of(t, s));
            }
        }
        return servers;
    }

    /** The server's settings; the defaults unless a test class needs other limits. */
    ServerSettings settings() {
        return ServerSettings.defaults();
    }

    @BeforeEach
    void startServer() throws IOException {
        fixture = LedgerFixture.start(transport, storage.applyTo(settings(), tempDir));
    }

    @AfterEach
    void stopServer() {
        fixture.close();
    }
}
