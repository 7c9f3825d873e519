package io.converge.ledger.transport;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransferBudgetTest {
    @Test
    void reservationsOverTheBudgetAreRefusedAndReserveNothing() {
        TransferBudget budget = new TransferBudget(100);
        TransferBudget.Hold a = budget.open();
        a.reserve(60, "a");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> budget.open().reserve(41, "b"));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("LEDGER_TRANSFER_BUDGET_BYTES"));
        assertEquals(60, budget.held());
        budget.open().reserve(40, "c");
        assertEquals(100, budget.held());
    }

    @Test
    void releaseGivesBackEverythingOnceAndAReleasedHoldTakesNothingMore() {
        TransferBudget budget = new TransferBudget(100);
        TransferBudget.Hold a = budget.open();
        a.reserve(30, "a");
        a.reserve(30, "a");
        a.release();
        a.release();
        assertEquals(0, budget.held());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> a.reserve(1, "a"));
        assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
        assertEquals(0, budget.held());
    }
}
