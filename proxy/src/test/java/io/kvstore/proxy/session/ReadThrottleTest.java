package io.kvstore.proxy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.loop.InFlightBudget;
import io.kvstore.proxy.resp.FramerLimits;
import io.kvstore.proxy.resp.RequestFramer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * {@link ReadThrottle} on an {@link EmbeddedChannel}: the two reasons to stop reading, resuming
 * only when neither holds, and a closed client giving back every unit it held.
 */
class ReadThrottleTest {

    private final RequestFramer framer = new RequestFramer(FramerLimits.DEFAULTS);
    private final EmbeddedChannel channel = new EmbeddedChannel(framer);

    private ReadThrottle throttle(InFlightBudget budget, int maxPending) {
        ReadThrottle t = new ReadThrottle(budget, maxPending);
        t.attach(channel, framer);
        return t;
    }

    @Test
    void theLoopShareStopsReadingAndHalfOfItResumesEveryStoppedClient() {
        InFlightBudget budget = new InFlightBudget(4);
        ReadThrottle a = throttle(budget, 100);
        ReadThrottle b = new ReadThrottle(budget, 100);
        b.attach(new EmbeddedChannel(), null);
        a.queued(1);
        a.queued(2);
        a.queued(3);
        assertFalse(a.paused(), "3 of 4");
        b.queued(1);
        assertTrue(b.paused(), "the fourth unit uses the share up: the client that took it stops");
        assertFalse(a.paused(), "only the client that hit the bound stops");
        a.queued(4);
        assertTrue(a.paused(), "a client of the same loop that reads next stops after one request");
        assertFalse(channel.config().isAutoRead());
        assertEquals(5, budget.inFlight());
        a.dequeued(2, 2);
        assertTrue(a.paused(), "3 left: above half");
        a.dequeued(1, 1);
        assertFalse(a.paused(), "2 = half of 4: resumed");
        assertFalse(b.paused());
        assertTrue(channel.config().isAutoRead());
        assertEquals(2, budget.pauses());
    }

    @Test
    void theClientsOwnPauseHoldsUntilHalfItsMaxPendingWhateverTheLoop() {
        InFlightBudget budget = new InFlightBudget(10);
        ReadThrottle t = throttle(budget, 4);
        for (int q = 1; q <= 4; q++) {
            t.queued(q);
        }
        assertTrue(t.paused(), "--max-pending reached");
        t.dequeued(1, 3);
        assertTrue(t.paused(), "above half of --max-pending");
        t.dequeued(1, 2);
        assertFalse(t.paused());
        // Both reasons: the loop's share frees up first, the client's own pause still holds.
        for (int q = 3; q <= 8; q++) {
            t.queued(q);
        }
        assertTrue(t.paused());
        assertEquals(8, budget.inFlight());
        ReadThrottle other = new ReadThrottle(budget, 100);
        other.attach(new EmbeddedChannel(), null);
        other.queued(1);
        other.queued(2);
        assertTrue(other.paused(), "the share of 10 is used up");
        other.dequeued(2, 0);
        t.dequeued(3, 5); // the loop is at 5 = half: resumed, but 5 > 4 / 2 pending of its own
        assertFalse(other.paused());
        assertTrue(t.paused(), "its own --max-pending still holds");
        t.dequeued(3, 2);
        assertFalse(t.paused());
    }

    @Test
    void closeGivesBackEveryUnitAndForgetsTheClient() {
        InFlightBudget budget = new InFlightBudget(4);
        ReadThrottle gone = throttle(budget, 100);
        for (int q = 1; q <= 4; q++) {
            gone.queued(q);
        }
        assertTrue(gone.paused());
        assertEquals(1, budget.waiting());
        gone.close();
        assertEquals(0, budget.inFlight(), "a closed client holds nothing, whatever was still queued");
        assertEquals(0, budget.waiting());
        gone.dequeued(4, 0); // replies that left the queue with the close
        gone.queued(1); // nothing is queued after close
        assertEquals(0, budget.inFlight(), "nothing counted twice, nothing taken after close");
    }
}
