package io.kvstore.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.route.ClusterState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LATENCY LATEST / HISTORY / RESET through a real proxy, in the layout redis-server 7.0.15 gives
 * (LATEST: [event, time, latest ms, max ms]; HISTORY: [time, ms]; RESET: a count), for the
 * proxy's {@code fence} event: the proxy fenced for at least 60 ms, then unfenced.
 */
class LatencyCommandIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(1);

    @Test
    void aFenceShowsInLatencyLatestAndHistory() throws Exception {
        LatencyMonitor monitor = cluster.proxy().context().stats().latencyMonitor();
        monitor.threshold(50);
        try (RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            assertEquals(0L, c.call("LATENCY", "RESET"));
            assertEquals(List.of(), c.call("LATENCY", "LATEST"), "nothing yet");
            ClusterState state = cluster.proxy().context().cluster();
            state.fence("testing LATENCY");
            Thread.sleep(60);
            state.unfence();
            List<?> latest = (List<?>) c.call("LATENCY", "LATEST");
            assertEquals(1, latest.size(), latest.toString());
            List<?> fence = (List<?>) latest.get(0);
            assertEquals("fence", fence.get(0));
            long now = System.currentTimeMillis() / 1000;
            assertTrue(Math.abs((Long) fence.get(1) - now) <= 2, fence.toString());
            assertTrue((Long) fence.get(2) >= 60 && fence.get(3).equals(fence.get(2)), fence.toString());
            List<?> history = (List<?>) c.call("LATENCY", "HISTORY", "fence");
            assertEquals(List.of(fence.get(1), fence.get(2)), history.get(0));
            assertEquals(List.of(), c.call("LATENCY", "HISTORY", "nosuch"));
            assertEquals(1L, c.call("LATENCY", "RESET", "fence", "nosuch"));
            assertEquals(List.of(), c.call("LATENCY", "LATEST"));
            assertTrue(c.call("LATENCY", "DOCTOR").toString().contains("LATENCY LATEST, HISTORY and RESET"));
            assertTrue(c.call("LATENCY", "HELP").toString().contains("HISTORY <event>"));
            assertTrue(c.call("LATENCY", "HISTORY").toString().contains("wrong number of arguments"));
        } finally {
            monitor.threshold(100);
        }
    }
}
