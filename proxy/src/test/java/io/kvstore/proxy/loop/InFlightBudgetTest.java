package io.kvstore.proxy.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link InFlightBudget} and its proxy-wide split: take, pause, resume at half, forget, unbounded. */
class InFlightBudgetTest {

    /** A waiter that records when it was told, and lists itself again when asked to. */
    private static final class Client implements InFlightBudget.Waiter {
        final List<Integer> toldAt = new ArrayList<>();
        final InFlightBudget budget;

        Client(InFlightBudget budget) {
            this.budget = budget;
        }

        @Override
        public void budgetFreed() {
            toldAt.add(budget.inFlight());
        }
    }

    @Test
    void usedUpAtTheShareAndResumedAtHalf() {
        InFlightBudget b = new InFlightBudget(10);
        for (int i = 1; i < 10; i++) {
            assertFalse(b.take(), "unit " + i + " of 10 leaves room");
        }
        assertTrue(b.take(), "the tenth unit uses the share up");
        Client a = new Client(b);
        Client c = new Client(b);
        b.await(a);
        assertTrue(b.take(), "beyond the share (a request cut before the pause took hold) is still used up");
        b.await(c);
        assertEquals(2, b.pauses());
        assertEquals(11, b.inFlight());
        b.give(5); // 6 left: above half
        assertEquals(List.of(), a.toldAt, "not told above half the share");
        b.give(1); // 5 = half
        assertEquals(List.of(5), a.toldAt);
        assertEquals(List.of(5), c.toldAt);
        assertEquals(0, b.waiting());
        b.give(5);
        assertEquals(List.of(5), a.toldAt, "told once per pause");
        assertEquals(0, b.inFlight());
    }

    @Test
    void aClosedWaiterIsForgottenAndNotTold() {
        InFlightBudget b = new InFlightBudget(2);
        b.take();
        assertTrue(b.take());
        Client gone = new Client(b);
        Client stays = new Client(b);
        b.await(gone);
        b.await(stays);
        b.forget(gone);
        b.give(2); // the closed client gives back what it held
        assertEquals(List.of(), gone.toldAt);
        assertEquals(List.of(0), stays.toldAt);
    }

    @Test
    void shareZeroBoundsNothing() {
        InFlightBudget b = InFlightBudget.unbounded();
        for (int i = 0; i < 100_000; i++) {
            assertFalse(b.take());
        }
        assertEquals(100_000, b.inFlight());
        b.give(100_000);
        assertEquals(0, b.inFlight());
    }

    @Test
    void theBoundIsSplitEvenlyAndSummedForInfo() {
        InFlightBudgets all = new InFlightBudgets(200);
        InFlightBudget one = all.newLoop(2);
        InFlightBudget two = all.newLoop(2);
        assertEquals(100, one.share());
        assertEquals(100, two.share());
        one.take();
        two.take();
        two.take();
        assertEquals(3, all.inFlight());
        assertTrue(all.info().contains("requests_in_flight:3\r\n"), all.info());
        assertTrue(all.info().contains("max_requests_in_flight:200\r\n"), all.info());
        assertEquals(1, new InFlightBudgets(1).newLoop(4).share(), "never a share of 0, which would mean no bound");
        assertEquals(0, new InFlightBudgets(0).newLoop(4).share());
        assertThrows(IllegalArgumentException.class, () -> new InFlightBudgets(-1));
    }
}
