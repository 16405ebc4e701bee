package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.chaos.FaultyRelay;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.it.support.ProxyCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A proxy whose ZooKeeper connection goes through a {@link FaultyRelay} (the admin's does not):
 * slot-map changes reach it late, but once the admin sees it report an epoch applied, it routes
 * by that epoch or a later one, never an older one.
 *
 * <p>The check: read the epoch the proxy reports (the admin's view of its registration), then
 * write a fresh value through the proxy and find the redis-server it landed on; if the reported
 * epoch is the latest, it must be the owner the admin's topology names. The positive control runs
 * the same check against a proxy cut off from ZooKeeper, which does route by its old map.
 */
class SlowZooKeeperTest {

    private ZkFixture f;
    private FaultyRelay zkRelay;

    @BeforeEach
    void start() throws Exception {
        f = ZkFixture.start(2);
        zkRelay = FaultyRelay.start(HostPort.parse(f.zk.getConnectString()));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            f.close(); // proxies first, while the relay still carries their goodbyes
        } finally {
            zkRelay.close();
        }
    }

    private ZkFixture.Proxy proxyThroughRelay(String cluster) throws InterruptedException {
        return f.startProxy(cluster, f.settings(zkRelay.address().toString()));
    }

    /** Gives the slot of {@code key} to the other group, as the admin; returns the admin's topology. */
    private Topology moveSlotOf(String cluster, String key) {
        int slot = SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
        return f.admin.update(cluster, t -> t.withSlotsAssigned(
                List.of(new SlotRange(slot, slot, t.owner(slot).equals("g1") ? "g2" : "g1")))).value();
    }

    /** The epoch the proxy's registration reports applied, as the admin reads it; -1 when not registered. */
    private long confirmed(String cluster, ZkFixture.Proxy p) {
        return f.admin.proxies(cluster).stream().filter(r -> r.id().equals(p.id()) && r.proxy() != null)
                .mapToLong(r -> r.proxy().appliedEpoch()).findFirst().orElse(-1);
    }

    /** Writes {@code value} to {@code key} through the proxy; the index of the redis-server that has it, or -1. */
    private int writeAndLocate(Jedis client, String key, String value) {
        assertEquals("OK", client.set(key, value));
        for (int i = 0; i < f.redis.size(); i++) {
            try (Jedis direct = f.redis.get(i).client()) {
                if (value.equals(direct.get(key))) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Test
    void aConfirmedEpochIsRoutedByEvenWhenZooKeeperIsSlow() throws Exception {
        f.createCluster("c", 2);
        ZkFixture.Proxy p = proxyThroughRelay("c");
        zkRelay.latency(250);
        try (Jedis c = ProxyCluster.client(p.port())) {
            for (int round = 0; round < 5; round++) {
                String key = "probe:" + round;
                Topology t = moveSlotOf("c", key);
                int owner = f.ownerOf(t, key);
                int checked = 0;
                int early = 0;
                // Bounded by time, not by a count of writes: each change costs the proxy several ZooKeeper
                // round trips through the 250 ms relay (topology, rewrite rules, registration), and how many
                // writes fit in that depends on the machine.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                for (int i = 0; System.nanoTime() < deadline && checked < 3; i++) {
                    long reported = confirmed("c", p); // before the write: the write comes after the confirmation
                    int landed = writeAndLocate(c, key, round + ":" + i);
                    if (reported >= t.epoch()) {
                        assertEquals(owner, landed, "round " + round + ": the proxy reported epoch " + reported
                                + " applied, then routed a write elsewhere than that epoch's owner");
                        checked++;
                    } else if (landed != owner) {
                        early++; // not confirmed yet: the old owner is allowed
                    }
                }
                assertEquals(3, checked, "round " + round + ": the proxy confirmed epoch " + t.epoch()
                        + " (writes routed by the old map before it: " + early + ")");
            }
        }
    }

    @Test
    void positiveControlTheCheckCatchesAProxyRoutingByAnOldMap() throws Exception {
        f.createCluster("c", 2);
        ZkFixture.Proxy p = proxyThroughRelay("c");
        try (Jedis c = ProxyCluster.client(p.port())) {
            String key = "probe";
            zkRelay.stall(true);
            Topology t = moveSlotOf("c", key);
            int landed = writeAndLocate(c, key, "stale");
            assertTrue(confirmed("c", p) < t.epoch(), "not confirmed: ZooKeeper is stalled for this proxy");
            assertNotEquals(f.ownerOf(t, key), landed, "the check sees a write routed by the old map");
            zkRelay.heal();
            f.awaitApplied(p, "c", t.epoch());
            assertEquals(f.ownerOf(t, key), writeAndLocate(c, key, "fresh"));
        }
    }

    /**
     * A data-store proxy that cannot reach ZooKeeper may already have lost its registration (the
     * server expires the session) while its own client only knows it is disconnected. From then
     * on a migration may go ahead without it, so it must not serve keys by the map it has.
     */
    @Test
    void aDataStoreProxyCutOffFromZooKeeperServesNoKeyOnceItsRegistrationIsGone() throws Exception {
        f.admin.create(Topology.create("ds", ClusterMode.DATASTORE,
                List.of(Group.of("g1", f.address(0)), Group.of("g2", f.address(1)))));
        ZkFixture.Proxy p = proxyThroughRelay("ds");
        try (Jedis c = ProxyCluster.client(p.port())) {
            String key = "probe";
            int before = writeAndLocate(c, key, "before");
            assertTrue(before >= 0);
            zkRelay.stall(true);
            ZkFixture.await("the proxy's registration to expire (admin's view)", () -> confirmed("ds", p) < 0);
            Topology t = moveSlotOf("ds", key); // no proxy registered to wait for: the change is confirmed at once
            JedisDataException refused = assertThrows(JedisDataException.class, () -> c.set(key, "after"),
                    "a proxy that may have missed epoch " + t.epoch() + " must not serve the key");
            assertTrue(refused.getMessage().startsWith("TRYAGAIN"), refused.getMessage());
            zkRelay.heal();
            f.awaitApplied(p, "ds", t.epoch());
            ZkFixture.await("the proxy to serve again", () -> p.server().context().cluster().fence() == null);
            assertEquals(f.ownerOf(t, key), writeAndLocate(c, key, "again"));
        }
    }
}
