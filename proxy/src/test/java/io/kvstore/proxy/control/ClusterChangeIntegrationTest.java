package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.it.support.ProxyCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Proxies following live changes of a cluster in ZooKeeper, with real redis-servers. */
class ClusterChangeIntegrationTest {

    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static int slot(String key) {
        return SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void twoProxiesApplyTheSameChange() throws Exception {
        f = ZkFixture.start(2);
        f.createCluster("shop", 2);
        ZkFixture.Proxy a = f.startProxy("shop");
        ZkFixture.Proxy b = f.startProxy("shop");
        f.awaitApplied(a, "shop", 1);
        f.awaitApplied(b, "shop", 1);

        String key = "user:1"; // find a key in g1's half
        for (int i = 2; slot(key) >= 8192; i++) {
            key = "user:" + i;
        }
        try (Jedis viaA = ProxyCluster.client(a.port()); Jedis viaB = ProxyCluster.client(b.port())) {
            assertEquals("OK", viaA.set(key, "before"));
            assertEquals("before", f.redis.get(0).client().get(key), "g1 (server 0) owns the slot at epoch 1");

            int s = slot(key);
            f.admin.update("shop", t -> t.withSlotsAssigned(List.of(new SlotRange(s, s, "g2"))));
            f.awaitApplied(a, "shop", 2);
            f.awaitApplied(b, "shop", 2);

            assertEquals("OK", viaB.set(key, "after"));
            try (Jedis direct1 = f.redis.get(1).client(); Jedis direct0 = f.redis.get(0).client()) {
                assertEquals("after", direct1.get(key), "both proxies route the slot to g2 now");
                assertEquals("before", direct0.get(key), "metadata only: the old copy stays where it was");
            }
            assertEquals("after", viaA.get(key));
        }
        String info = a.server().context().infoSection("proxy");
        assertTrue(info.contains("zk_state:connected\r\n") && info.contains("zk_applied_epoch:2\r\n")
                && info.contains("zk_last_error:\r\n") && info.contains("slot_map_epoch:2\r\n"), info);
    }

    /**
     * Slot moves, a group added and a group removed while two clients pipeline requests whose
     * replies do not depend on routing: no reply may be lost, wrong or out of order, no client
     * connection may drop, and the removed group's connections close once drained.
     */
    @Test
    void slotMapChangesUnderPipelinedLoadKeepEveryReplyRight() throws Exception {
        f = ZkFixture.start(4);
        f.createCluster("shop", 3);
        f.mirror(2_000);
        ZkFixture.Proxy p = f.startProxy("shop");
        try (MirroredLoad one = new MirroredLoad(p.port(), 2_000, 64, 100_000, 1);
             MirroredLoad two = new MirroredLoad(p.port(), 2_000, 64, 100_000, 2)) {
            one.awaitProgress(5);
            two.awaitProgress(5);
            long epoch = 1;
            for (int round = 0; round < 6; round++) {
                int start = round * 2_500;
                String to = "g" + (1 + round % 3);
                f.admin.update("shop", t -> t.withSlotsAssigned(List.of(new SlotRange(start, start + 3_000, to))));
                f.awaitApplied(p, "shop", ++epoch);
                one.awaitProgress(3);
                two.awaitProgress(3);
            }
            // a fourth group joins and takes slots; then g3 gives all its slots away and leaves
            f.admin.update("shop", t -> t.withGroupAdded(Group.of("g4", f.address(3))));
            f.admin.update("shop", t -> t.withSlotsAssigned(List.of(new SlotRange(0, 4_000, "g4"))));
            epoch += 2;
            f.awaitApplied(p, "shop", epoch);
            one.awaitProgress(3);
            two.awaitProgress(3);
            assertTrue(f.clientsOf(2) > 0, "g3 is in use before it leaves");
            f.admin.update("shop", t -> {
                List<SlotRange> away = t.ranges().stream().filter(r -> r.groupId().equals("g3"))
                        .map(r -> new SlotRange(r.start(), r.end(), "g1")).toList();
                return away.isEmpty() ? t.withGroupRemoved("g3") : t.withSlotsAssigned(away).withGroupRemoved("g3");
            });
            Topology last = f.admin.read("shop").value();
            f.awaitApplied(p, "shop", last.epoch());
            one.awaitProgress(10);
            two.awaitProgress(10);
            ZkFixture.await("the proxy to close its connections to the group that left", () -> f.clientsOf(2) == 0);
            one.awaitProgress(3);
            assertNull(one.failure());
            assertNull(two.failure());
            assertTrue(one.running() && two.running(), "both client connections still open");

            // after the changes, every key goes to the group that owns its slot at the last epoch
            try (Jedis client = ProxyCluster.client(p.port())) {
                for (int i = 0; i < 300; i++) {
                    String key = "probe:" + i;
                    assertEquals("OK", client.set(key, "x" + i));
                    int owner = f.ownerOf(last, key);
                    for (int r = 0; r < f.redis.size(); r++) {
                        try (Jedis direct = f.redis.get(r).client()) {
                            assertEquals(r == owner ? "x" + i : null, direct.get(key), key + " on server " + r);
                        }
                    }
                }
            }
        }
    }
}
