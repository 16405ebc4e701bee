package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.HealthReport.NodeHealth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verdicts from health views: a quorum of live proxies, each for down-after. */
class QuorumTest {

    private static final HostPort M = new HostPort("127.0.0.1", 7001);
    private static final long NOW = 100_000;

    private static HealthReport view(String proxy, boolean up, long since) {
        return new HealthReport(proxy, 1, NOW, Map.of(M, new NodeHealth(up, since, up ? null : "refused")));
    }

    @Test
    void aMajorityOfLiveProxiesEachDownForDownAfterIsNeeded() {
        List<String> live = List.of("p1", "p2", "p3");
        Quorum one = Quorum.judge(live, List.of(view("p1", false, 0), view("p2", true, 0), view("p3", true, 0)), NOW, 5_000, 500, 0);
        assertFalse(one.down(M), "one proxy cut off is no quorum");
        assertEquals(2, one.needed());
        Quorum two = Quorum.judge(live, List.of(view("p1", false, 0), view("p2", false, 0), view("p3", true, 0)), NOW, 5_000, 500, 0);
        assertTrue(two.down(M));
        Quorum young = Quorum.judge(live, List.of(view("p1", false, 0), view("p2", false, NOW - 4_999)), NOW, 5_000, 500, 0);
        assertFalse(young.down(M), "p2 has not seen it down for down-after yet");
    }

    @Test
    void onlyRegisteredProxiesVoteAndAnExplicitQuorumCounts() {
        List<HealthReport> views = List.of(view("gone1", false, 0), view("gone2", false, 0), view("p1", false, 0));
        assertFalse(Quorum.judge(List.of("p1", "p2", "p3"), views, NOW, 5_000, 500, 0).down(M), "dead proxies have no say");
        assertTrue(Quorum.judge(List.of("p1", "p2", "p3"), views, NOW, 5_000, 500, 1).down(M), "--failover-quorum 1");
        assertFalse(Quorum.judge(List.of(), views, NOW, 5_000, 500, 0).down(M), "no live proxy, no verdict");
    }

    @Test
    void upNeedsAQuorumForOneInterval() {
        List<String> live = List.of("p1", "p2");
        assertTrue(Quorum.judge(live, List.of(view("p1", true, 0), view("p2", true, NOW - 600)), NOW, 5_000, 500, 0).up(M));
        assertFalse(Quorum.judge(live, List.of(view("p1", true, 0), view("p2", true, NOW - 100)), NOW, 5_000, 500, 0).up(M));
        assertFalse(Quorum.judge(live, List.of(view("p1", true, 0)), NOW, 5_000, 500, 0).up(M), "a proxy not checking it does not count");
    }
}
