package io.converge.ledger.transport;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CONTRACT.md: the server listens on port 50051, or on GRPC_PORT when that variable is set. */
class ListeningPortContractTest {
    @Test
    void theDefaultPortIs50051() {
        assertEquals(50051, ServerSettings.fromEnvironment(Map.of()).port());
        assertEquals(50051, ServerSettings.defaults().port());
    }

    @Test
    void grpcPortWhenSetChoosesThePort() {
        assertEquals(6000, ServerSettings.fromEnvironment(Map.of("GRPC_PORT", "6000")).port());
        assertEquals(0, ServerSettings.fromEnvironment(Map.of("GRPC_PORT", "0")).port());
    }
}
