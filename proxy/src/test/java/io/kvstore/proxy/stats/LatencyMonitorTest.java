package io.kvstore.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy's LATENCY data: threshold, one sample per second keeping the larger, 160 samples, max, reset. */
class LatencyMonitorTest {

    @Test
    void recordsEventsAtOrAboveTheThresholdOnly() {
        LatencyMonitor m = new LatencyMonitor();
        m.threshold(10);
        m.record("fence", 9);
        assertEquals(List.of(), m.latest(), "below the threshold");
        m.record("fence", 10);
        m.record("fence", 30);
        m.record("fence", 20);
        List<LatencyMonitor.Latest> latest = m.latest();
        assertEquals(1, latest.size());
        assertEquals("fence", latest.get(0).event());
        assertTrue(m.history("fence").size() <= 2, "one sample per second: " + m.history("fence"));
        assertEquals(30, latest.get(0).maxMillis());
        m.threshold(0);
        m.record("backend-stall", 1_000_000);
        assertEquals(List.of(), m.history("backend-stall"), "0: off");
        assertThrows(IllegalArgumentException.class, () -> m.threshold(-1));
    }

    @Test
    void keepsTheNewestSamplesAndResetsByName() {
        LatencyMonitor m = new LatencyMonitor();
        m.threshold(1);
        for (int i = 1; i <= 500; i++) {
            m.record("migration-hold", i);
        }
        m.record("backend-reconnect", 5);
        assertTrue(m.history("migration-hold").size() <= LatencyMonitor.SAMPLES);
        assertEquals(500, m.latest().get(1).maxMillis());
        assertEquals(List.of("backend-reconnect", "migration-hold"), m.latest().stream().map(LatencyMonitor.Latest::event).toList());
        assertEquals(1, m.reset(List.of("migration-hold", "nosuch")));
        assertEquals(List.of(), m.history("migration-hold"));
        assertEquals(1, m.reset(List.of()));
        assertEquals(List.of(), m.latest());
    }
}
