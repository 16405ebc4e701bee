package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.rewrite.Reclaim;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.RewrittenKey;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.reshard.AdminCli;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Resharding and reclaim with rewrite rules present: the mover finds physical names on the servers
 * and must move each by the slot of its logical name (the shared codec, {@code RewrittenKey}), so
 * that every key is still readable afterwards and lives on the server owning its logical slot.
 * Then {@code rewrite reclaim} deletes exactly the invisible keys, after being refused while
 * another reclaim holds the cluster's reclaim lock.
 */
class RewriteReshardTest {

    @RegisterExtension
    final RewriteSetup setup = new RewriteSetup();

    @Test
    void rebalanceMovesRewrittenKeysByTheirLogicalSlotAndReclaimDeletesOnlyInvisibleOnes() throws Exception {
        ZkFixture.Proxy a = setup.start(4, 3, "user:*");
        ZkFixture f = setup.zk();
        int keys = 2000;
        try (Jedis viaA = ProxyCluster.client(a.port())) {
            Pipeline p = viaA.pipelined();
            for (int i = 0; i < keys; i++) {
                p.set("user:" + i, "v" + i);
                p.set("plain:" + i, "p" + i);
            }
            p.sync();
        }
        Topology added = f.admin.update("shop", t -> t.withGroupAdded(Group.of("g4", f.address(3)))).value();
        f.awaitApplied(a, "shop", added.epoch());
        AdminCli.Result rebalance = AdminCli.run(f, "rebalance", "shop", "--rate", "0", "--chunk-slots", "2000", "--quiet");
        assertEquals(0, rebalance.exit(), rebalance.toString());

        Topology t = f.admin.read("shop").value();
        int movedByLogicalSlot = 0;
        for (int i = 0; i < f.redis.size(); i++) {
            try (Jedis direct = f.redis.get(i).client()) {
                for (byte[] k : direct.keys("*".getBytes(StandardCharsets.UTF_8))) {
                    String logical = new String(RewrittenKey.logical(k), StandardCharsets.UTF_8);
                    assertEquals(i, f.ownerOf(t, logical), logical + " is on server " + i);
                    int raw = SlotHash.crc16(k, 0, k.length) & (SlotHash.SLOTS - 1);
                    if (i == 3 && RewrittenKey.reserved(k, 0, k.length)
                            && !t.slotMap(BackendAuth.NONE).groupOf(raw).id().equals("g4")) {
                        movedByLogicalSlot++; // hashing the physical bytes would have left it elsewhere
                    }
                }
            }
        }
        assertTrue(movedByLogicalSlot > 0, "positive control: some rewritten keys moved to g4 only by their logical slot");
        try (Jedis viaA = ProxyCluster.client(a.port())) {
            for (int i = 0; i < keys; i++) {
                assertEquals("v" + i, viaA.get("user:" + i));
                assertEquals("p" + i, viaA.get("plain:" + i));
            }
            assertEquals(0, AdminCli.run(f, "rewrite", "bump", "shop", "user:*").exit());
            for (int i = 0; i < 100; i++) {
                viaA.set("user:" + i, "new" + i);
            }
            InterProcessMutex other = new InterProcessMutex(f.admin.client(), Reclaim.lockPath("shop")); // a reclaim running elsewhere
            assertTrue(other.acquire(10, TimeUnit.SECONDS));
            try {
                AdminCli.Result refused = AdminCli.run(f, "rewrite", "reclaim", "shop", "user:*", "--rate", "0", "--quiet");
                assertEquals(4, refused.exit(), refused.toString());
                assertTrue(refused.err().contains("another reclaim of cluster shop is running"), refused.toString());
                assertNull(f.admin.client().checkExists().forPath("/kvstore/clusters/shop/rewrite-reclaim"), "nothing scanned");
            } finally {
                other.release();
            }
            AdminCli.Result reclaim = AdminCli.run(f, "rewrite", "reclaim", "shop", "user:*", "--rate", "0", "--quiet");
            assertEquals(0, reclaim.exit(), reclaim.toString());
            assertTrue(reclaim.out().contains(keys + " keys deleted"), reclaim.out());
            long onServers = 0;
            for (int i = 0; i < f.redis.size(); i++) {
                try (Jedis direct = f.redis.get(i).client()) {
                    onServers += direct.dbSize();
                }
            }
            assertEquals(keys + 100, onServers, "left: the plain keys and the new generation");
            for (int i = 0; i < 100; i++) {
                assertEquals("new" + i, viaA.get("user:" + i));
            }
            assertNull(viaA.get("user:100"));
            assertEquals("p5", viaA.get("plain:5"));
            assertNotEquals(0, f.admin.client().checkExists().forPath("/kvstore/clusters/shop/rewrite") == null ? 0 : 1);
            assertNull(f.admin.client().checkExists().forPath("/kvstore/clusters/shop/rewrite-reclaim"), "reclaim state deleted when done");
        }
    }
}
