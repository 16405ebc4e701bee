package io.kvstore.proxy.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore.Registration;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.HealthReport.NodeHealth;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.health.Quorum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What a round decides, from a topology and health views alone: no ZooKeeper, no redis-server.
 * Three proxies vote; a server is down (or up) when two of them say so for long enough.
 */
class FailoverPlannerTest {

    private static final long NOW = 100_000;
    private static final long DOWN_AFTER = 5_000;
    private static final List<String> PROXIES = List.of("p1", "p2", "p3");

    private static final HostPort M1 = at(7001);
    private static final HostPort R1 = at(7002);
    private static final HostPort M2 = at(7003);
    private static final HostPort R2 = at(7004);
    private static final Group G1 = new Group("g1", M1, List.of(R1), null);
    private static final Group G2 = new Group("g2", M2, List.of(R2), null);

    private static HostPort at(int port) {
        return new HostPort("127.0.0.1", port);
    }

    private static Topology cluster(ClusterMode mode) {
        return Topology.create("c", mode, List.of(G1, G2));
    }

    /** Every proxy sees every server up for long, but {@code down}, which {@code downVotes} proxies see down for long. */
    private static Quorum health(Set<HostPort> down, int downVotes) {
        List<HealthReport> views = new ArrayList<>();
        for (int p = 0; p < PROXIES.size(); p++) {
            Map<HostPort, NodeHealth> nodes = new HashMap<>();
            for (HostPort s : List.of(M1, R1, M2, R2)) {
                boolean up = !(down.contains(s) && p < downVotes);
                nodes.put(s, new NodeHealth(up, 0, up ? null : "refused"));
            }
            views.add(new HealthReport(PROXIES.get(p), 1, NOW, nodes));
        }
        return Quorum.judge(PROXIES, views, NOW, DOWN_AFTER, 500, 0);
    }

    private static Quorum allUp() {
        return health(Set.of(), 0);
    }

    /** The live proxies, each having applied {@code epoch}. */
    private static List<Registration> applied(long epoch) {
        return PROXIES.stream().map(id -> new Registration(id, new ProxyRecord(id, at(6000), 0, epoch, 0, null, "test"), null))
                .toList();
    }

    private static final Predicate<HostPort> NOBODY_ASKED = s -> {
        throw new AssertionError("asked whether " + s + " answers");
    };

    private static FailoverAction plan(Topology t, Quorum q) {
        return FailoverPlanner.plan(t, q, applied(t.epoch()), NOBODY_ASKED);
    }

    @Test
    void aMasterDownForAQuorumIsFailedOverAndOneDownForAMinorityIsNot() {
        Topology t = cluster(ClusterMode.DATASTORE);
        assertEquals(new FailoverAction.Steady(), plan(t, allUp()));
        assertEquals(new FailoverAction.Steady(), plan(t, health(Set.of(M2), 1)), "one proxy cut off is no quorum");
        assertEquals(new FailoverAction.FailOver(G2), plan(t, health(Set.of(M2), 2)));
        assertEquals(new FailoverAction.Steady(), plan(t, health(Set.of(R2), 3)), "a replica down is no failover");
    }

    @Test
    void aDrainingGroupIsFailedOverTooAndTheFirstGroupInTopologyOrderGoesFirst() {
        Topology t = cluster(ClusterMode.CACHE).withGroupState("g2", GroupState.DRAINING);
        assertEquals(new FailoverAction.FailOver(G2), plan(t, health(Set.of(M2), 2)));
        assertEquals(new FailoverAction.FailOver(G1), plan(t, health(Set.of(M1, M2), 2)));
    }

    @Test
    void aPlannedMarkWithoutItsRecordIsTakenOffUnlessTheMasterDied() {
        Topology t = cluster(ClusterMode.DATASTORE).withGroupState("g1", GroupState.FAILING_OVER);
        assertEquals(new FailoverAction.Unmark(G1), plan(t, allUp()));
        assertEquals(new FailoverAction.FailOver(G1), plan(t, health(Set.of(M1), 2)));
    }

    @Test
    void aFailedGroupRejoinsWhenItsMasterIsUpAndEveryProxyHasTheEpoch() {
        Topology t = cluster(ClusterMode.CACHE).withGroupFailed("g1");
        assertEquals(GroupState.FAILED, t.state("g1"));
        assertEquals(new FailoverAction.StartRejoin(G1), plan(t, allUp()));
        assertEquals(new FailoverAction.Steady(), FailoverPlanner.plan(t, allUp(), applied(t.epoch() - 1), NOBODY_ASKED),
                "a proxy still routes by the map before the failover");
        List<Registration> unreadable = new ArrayList<>(applied(t.epoch()));
        unreadable.set(0, new Registration("p1", null, "garbage"));
        assertEquals(new FailoverAction.Steady(), FailoverPlanner.plan(t, allUp(), unreadable, NOBODY_ASKED),
                "a proxy whose registration cannot be read has not applied it");
        assertEquals(new FailoverAction.Steady(), plan(t, health(Set.of(M1), 2)), "a failed cache group is not failed over again");
    }

    @Test
    void aDownDataStoreGroupIsFailedOverAgainOnlyWhenAReplicaAnswers() {
        Topology t = cluster(ClusterMode.DATASTORE).withGroupState("g1", GroupState.DOWN);
        List<HostPort> asked = new ArrayList<>();
        Predicate<HostPort> none = s -> {
            asked.add(s);
            return false;
        };
        assertEquals(new FailoverAction.Steady(), FailoverPlanner.plan(t, health(Set.of(M1), 2), applied(t.epoch()), none));
        assertEquals(List.of(R1), asked, "only the down group's replicas are asked");
        assertEquals(new FailoverAction.FailOver(G1), FailoverPlanner.plan(t, health(Set.of(M1), 2), applied(t.epoch()), R1::equals));
        assertEquals(new FailoverAction.StartRejoin(G1), plan(t, allUp()), "its master is back: no replica is asked");
    }

    @Test
    void aDownCacheGroupGivesItsSlotsAwayOnceAnotherGroupIsActive() {
        Topology alone = cluster(ClusterMode.CACHE).withGroupState("g2", GroupState.FAILED).withGroupFailed("g1");
        assertEquals(GroupState.DOWN, alone.state("g1"), "no active group to take its slots");
        assertEquals(new FailoverAction.Steady(), plan(alone, health(Set.of(M1, M2), 2)));
        Topology back = alone.withGroupState("g2", GroupState.ACTIVE);
        assertEquals(new FailoverAction.FailOver(G1), plan(back, health(Set.of(M1), 2)));
    }
}
