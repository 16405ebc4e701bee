package io.kvstore.admin.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The latency pacer's decisions, window by window, with no server: a simulated source whose p99 grows with the rate. */
class LatencyPacerTest {

    @Test
    void growsWhileWithinTheBoundAndTheRateIsUsed() {
        LatencyPacer p = new LatencyPacer(100, 2, 1, 10_000, 500, 1_000_000, 2_000);
        assertEquals(12_500, p.window(150, 10_000)); // +1/4
        assertEquals(15_625, p.window(199, 12_000));
        assertEquals(0, p.decreases());
    }

    @Test
    void doesNotGrowARateTheMoverDoesNotUse() {
        LatencyPacer p = new LatencyPacer(100, 2, 1, 10_000, 500, 1_000_000, 2_000);
        assertEquals(10_000, p.window(100, 3_000)); // e.g. waiting for proxies: nothing moved
        assertEquals(10_000, p.window(100, 0));
    }

    @Test
    void halvesFromWhatWasActuallyMovedWhenOverTheBound() {
        LatencyPacer p = new LatencyPacer(100, 2, 1, 100_000, 500, 1_000_000, 2_000);
        assertEquals(50_000, p.window(201, 200_000));
        assertEquals(15_000, p.window(500, 30_000)); // the mover reached 30k only: half of that
        assertEquals(2, p.decreases());
    }

    @Test
    void holdsBetweenTheTargetAndTheBound() {
        // bound 200, target 0.7 x 200 = 140
        LatencyPacer p = new LatencyPacer(100, 2, 0.7, 10_000, 500, 1_000_000, 2_000);
        assertEquals(140, p.targetMicros());
        assertEquals(10_000, p.window(141, 10_000)); // above the target, within the bound: holds
        assertEquals(10_000, p.window(200, 10_000));
        assertEquals(12_500, p.window(140, 10_000)); // at the target: grows (positive control)
        assertEquals(6_250, p.window(201, 12_500)); // one window over the bound: halved
        assertEquals(1, p.decreases());
    }

    @Test
    void aTargetBelowTheBoundKeepsASimulatedNoisyServerWithinIt() {
        // p99 = baseline x (1 + rate / 50k) x noise of +-30% (fixed seed): within 2x baseline up to 50k keys/s without noise.
        Random noise = new Random(16);
        int overAtEdge = overBound(new LatencyPacer(100, 2, 1, 5_000, 500, 1_000_000, 2_000), new Random(16));
        int overBelow = overBound(new LatencyPacer(100, 2, 0.7, 5_000, 500, 1_000_000, 2_000), noise);
        assertTrue(overBelow < overAtEdge, "aiming below the bound crosses it less often: " + overBelow + " vs " + overAtEdge);
    }

    /** Windows of 400 whose p99 was over the bound, after 100 to settle. */
    private static int overBound(LatencyPacer p, Random noise) {
        int rate = p.rate();
        int over = 0;
        for (int w = 0; w < 500; w++) {
            double p99 = 100 * (1 + rate / 50_000.0) * (0.7 + 0.6 * noise.nextDouble());
            if (w >= 100 && p99 > p.boundMicros()) {
                over++;
            }
            rate = p.window(p99, rate);
        }
        return over;
    }

    @Test
    void staysWithinFloorAndCeiling() {
        LatencyPacer p = new LatencyPacer(100, 2, 1, 900, 500, 1_000, 2_000);
        assertEquals(1_000, p.window(100, 900));
        assertEquals(1_000, p.window(100, 1_000));
        assertEquals(500, p.window(10_000, 1_000));
        assertEquals(500, p.window(10_000, 0));
    }

    @Test
    void settlesBelowTheEdgeOfASimulatedServer() {
        // p99 = baseline x (1 + rate / 50k): within 2x baseline up to 50k keys/s.
        LatencyPacer p = new LatencyPacer(100, 2, 1, 5_000, 500, 1_000_000, 2_000);
        int rate = p.rate();
        int over = 0;
        long sum = 0;
        for (int w = 0; w < 200; w++) {
            double p99 = 100 * (1 + rate / 50_000.0);
            if (p99 > 200) {
                over++;
            }
            rate = p.window(p99, rate);
            if (w >= 100) {
                sum += rate;
            }
        }
        long mean = sum / 100;
        assertTrue(mean > 25_000 && mean <= 50_000 * 1.25, "settles near the edge, mean " + mean);
        assertTrue(over < 200 / 4, "most windows within the bound, over " + over);
        assertTrue(p.decreases() > 0, "the bound was reached and cut the rate");
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyPacer(100, 1, 1, 1_000, 500, 10_000, 100));
        assertThrows(IllegalArgumentException.class, () -> new LatencyPacer(0, 2, 1, 1_000, 500, 10_000, 100));
        assertThrows(IllegalArgumentException.class, () -> new LatencyPacer(100, 2, 1, 1_000, 500, 100, 100));
        assertThrows(IllegalArgumentException.class, () -> new LatencyPacer(100, 2, 0, 1_000, 500, 10_000, 100));
        assertThrows(IllegalArgumentException.class, () -> new LatencyPacer(100, 2, 1.1, 1_000, 500, 10_000, 100));
    }
}
