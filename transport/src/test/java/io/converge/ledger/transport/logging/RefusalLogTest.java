package io.converge.ledger.transport.logging;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RefusalLogTest {
    @Test
    void theLevelSaysWhoseProblemItIs() {
        assertNull(RefusalLog.levelOf(Status.Code.OK), "an OK call writes nothing");
        assertEquals(System.Logger.Level.ERROR, RefusalLog.levelOf(Status.Code.INTERNAL));
        assertEquals(System.Logger.Level.ERROR, RefusalLog.levelOf(Status.Code.UNKNOWN));
        assertEquals(System.Logger.Level.WARNING, RefusalLog.levelOf(Status.Code.RESOURCE_EXHAUSTED));
        assertEquals(System.Logger.Level.WARNING, RefusalLog.levelOf(Status.Code.UNAVAILABLE));
        assertEquals(System.Logger.Level.INFO, RefusalLog.levelOf(Status.Code.INVALID_ARGUMENT));
        assertEquals(System.Logger.Level.INFO, RefusalLog.levelOf(Status.Code.PERMISSION_DENIED));
        assertEquals(System.Logger.Level.INFO, RefusalLog.levelOf(Status.Code.UNAUTHENTICATED));
        assertEquals(System.Logger.Level.DEBUG, RefusalLog.levelOf(Status.Code.CANCELLED));
        assertEquals(System.Logger.Level.DEBUG, RefusalLog.levelOf(Status.Code.DEADLINE_EXCEEDED));
    }
}
