package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.Topology;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** What must not cause a failover: one proxy cut off from a master, and ZooKeeper going away. */
class NoFalseFailoverTest {

    private static final long DOWN_AFTER_MS = 2_000;

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    @Test
    void oneProxyCutOffFromAMasterDoesNotFailItOver() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 1);
        HostPort cutOff = groups.get(0).get(0).address();
        HealthMonitor.Prober real = HealthMonitor.pinger(null, 500);
        HealthMonitor.Prober partitioned = new HealthMonitor.Prober() {
            @Override
            public String check(HostPort address) {
                return address.equals(cutOff) ? "no answer within 500 ms (partitioned in this test)" : real.check(address);
            }

            @Override
            public void close() {
                real.close();
            }
        };
        FailoverFixture.Proxy p1 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS), partitioned);
        FailoverFixture.Proxy p2 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        f.awaitHealthViews("ds");
        long epoch = f.topology("ds").epoch();
        FailoverFixture.await("p1 to report the master down for longer than down-after", () -> f.admin.healthReports("ds").stream()
                .anyMatch(r -> r.proxyId().equals(p1.id()) && !r.node(cutOff).up()
                        && System.currentTimeMillis() - r.node(cutOff).sinceMillis() > 3 * DOWN_AFTER_MS));
        HealthReport other = f.admin.healthReports("ds").stream().filter(r -> r.proxyId().equals(p2.id())).findFirst().orElseThrow();
        assertTrue(other.node(cutOff).up());
        assertEquals(epoch, f.topology("ds").epoch(), "no failover: one proxy of two is no quorum");
        assertEquals(List.of(), f.failovers("ds"));
        assertEquals("master", groups.get(0).get(0).role());
        assertEquals("slave", groups.get(0).get(1).role());

        // Positive control: once the second proxy sees it down too (a real kill), it is a quorum.
        groups.get(0).get(0).kill();
        awaitPromoted("ds", groups.get(0).get(1));
    }

    @Test
    void withZooKeeperDownNothingIsPromotedAndACacheClusterKeepsServing() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("c", ClusterMode.CACHE, 2, 1);
        FailoverFixture.Proxy p1 = f.startProxy("c", FailoverFixture.fast(DOWN_AFTER_MS));
        f.startProxy("c", FailoverFixture.fast(DOWN_AFTER_MS));
        f.awaitHealthViews("c");
        f.leader();
        Topology t = f.topology("c");
        List<String> g2Keys = FailoverFixture.keysOf(t, "g2", "k:", 50);

        f.zk.stop();
        FailoverFixture.await("no controller to lead", () -> f.proxies.stream().noneMatch(p -> p.controller().isLeader()));
        groups.get(0).get(0).kill();
        awaitEverySeesDown(groups.get(0).get(0).address());
        assertEquals("slave", groups.get(0).get(1).role(), "nothing was promoted");
        try (Jedis c = FailoverFixture.client(p1.port())) {
            for (String k : g2Keys) {
                c.set(k, "v");
                assertEquals("v", c.get(k), "the other group serves by the map the proxy has");
            }
        }
        assertEquals(t.epoch(), p1.epoch());

        f.zk.restart();
        awaitTopology("the failover to happen once ZooKeeper is back", "c", x -> x.state("g1") == GroupState.FAILED);
        assertFalse(f.failovers("c").isEmpty());
    }

    /**
     * The kill that promotes nothing while ZooKeeper is away promotes the replica once it is back:
     * without this control the test would pass with the failover code deleted.
     */
    @Test
    void withZooKeeperDownADataStoreReplicaIsNotPromotedUntilItIsBack() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 1, 1);
        RedisNode master = groups.get(0).get(0);
        RedisNode replica = groups.get(0).get(1);
        f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        f.awaitHealthViews("ds");
        f.leader();
        f.zk.stop();
        FailoverFixture.await("no controller to lead", () -> f.proxies.stream().noneMatch(p -> p.controller().isLeader()));
        master.kill();
        awaitEverySeesDown(master.address());
        assertEquals("slave", replica.role(), "a controller that cannot publish promotes nothing");

        f.zk.restart();
        awaitPromoted("ds", replica);
    }

    /**
     * Waits (bounded) until every proxy's own checks have seen {@code server} down for three times
     * down-after: a quorum long past the point where a controller that did not need ZooKeeper would
     * have acted. What is asserted after this is not "nothing happened in an arbitrary sleep".
     */
    private void awaitEverySeesDown(HostPort server) {
        FailoverFixture.await("every proxy to see " + server + " down for 3 x down-after", () -> f.proxies.stream().allMatch(p -> {
            HealthReport.NodeHealth h = p.control().healthMonitor().view().node(server);
            return h != null && !h.up() && System.currentTimeMillis() - h.sinceMillis() > 3 * DOWN_AFTER_MS;
        }));
    }

    /** Waits (bounded) until cluster {@code name}'s topology satisfies {@code condition}, ZooKeeper answering or not yet. */
    private void awaitTopology(String what, String name, Predicate<Topology> condition) {
        FailoverFixture.await(what, () -> {
            try {
                return condition.test(f.topology(name));
            } catch (RuntimeException zkNotYet) {
                return false;
            }
        });
    }

    /** Waits until g1's {@code replica} is its master in the topology; then checks the server and the failover record. */
    private void awaitPromoted(String name, RedisNode replica) {
        awaitTopology("g1's replica " + replica.address() + " to be promoted", name,
                x -> x.group("g1").orElseThrow().master().equals(replica.address()));
        assertEquals("master", replica.role());
        FailoverRecord rec = f.ended(name);
        assertEquals(FailoverRecord.Kind.AUTO, rec.kind());
        assertEquals(FailoverRecord.State.DONE, rec.state());
        assertEquals(replica.address(), rec.newMaster());
    }
}
