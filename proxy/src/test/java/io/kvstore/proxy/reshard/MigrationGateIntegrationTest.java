package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;

/**
 * While a slot migrates, every command that touches one of its keys first moves the key from the
 * owner to the target (MIGRATE) and then runs on the target: reads see the latest value, writes
 * land on the target, and no key is left in two places. Checked on real redis-servers, with the
 * migration state installed directly in the proxy's slot map (the mover is tested elsewhere).
 */
class MigrationGateIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    private static SlotMap base;

    @BeforeAll
    static void start() {
        base = cluster.map();
    }

    @AfterEach
    void reset() {
        cluster.proxy().context().cluster().update(SlotMap.of(base.epoch() + 100, base.groups(), base.ownerArray()));
        cluster.flushAll();
    }

    /** Marks the slots of {@code keys} (all owned by group 0) as migrating to group 1. */
    private static void migrate(String... keys) {
        SlotMap now = cluster.proxy().context().cluster().map();
        short[] to = SlotMap.noMigrations();
        for (String k : keys) {
            int slot = SlotHash.slot(k.getBytes());
            assertEquals(0, now.groupIndex(slot), "test keys must start on group 0: " + k);
            to[slot] = 1;
        }
        cluster.proxy().context().cluster().update(SlotMap.of(now.epoch() + 1, now.groups(), now.ownerArray(), to));
    }

    private static List<String> keysOnGroup0(String prefix, int n) {
        return cluster.keysOn(0, prefix, n);
    }

    @Test
    void readsMoveTheKeyAndSeeItsValue() {
        String k = keysOnGroup0("mg:read:", 1).get(0);
        try (Jedis j = cluster.client()) {
            j.set(k, "v1");
            j.expire(k, 1000);
            migrate(k);
            assertEquals("v1", j.get(k));
            assertFalse(cluster.shard(0).client().exists(k), "the key left the source");
            assertEquals("v1", cluster.shard(1).client().get(k), "the key is on the target");
            assertTrue(cluster.shard(1).client().ttl(k) > 900, "TTL kept");
        }
    }

    @Test
    void writesOfNewKeysLandOnTheTarget() {
        String k = keysOnGroup0("mg:new:", 1).get(0);
        migrate(k);
        try (Jedis j = cluster.client()) {
            assertEquals("OK", j.set(k, "fresh"));
        }
        assertNull(cluster.shard(0).client().get(k));
        assertEquals("fresh", cluster.shard(1).client().get(k));
    }

    @Test
    void pipelinedCommandsOnOneKeyKeepTheirOrder() {
        String k = keysOnGroup0("mg:pipe:", 1).get(0);
        try (Jedis j = cluster.client()) {
            j.set(k, "0");
            migrate(k);
            Pipeline p = j.pipelined();
            Response<Long> last = null;
            for (int i = 0; i < 2000; i++) {
                last = p.incr(k);
            }
            Response<String> read = p.get(k);
            p.sync();
            assertEquals(2000L, last.get());
            assertEquals("2000", read.get());
        }
        assertFalse(cluster.shard(0).client().exists(k));
    }

    @Test
    void multiKeyCommandsAndTransactionsMoveEveryKeyFirst() {
        List<String> keys = keysOnGroup0("mg:multi:", 3);
        try (Jedis j = cluster.client()) {
            for (String k : keys) {
                j.set(k, "v-" + k);
            }
            migrate(keys.toArray(String[]::new));
            assertEquals(List.of("v-" + keys.get(0), "v-" + keys.get(1), "v-" + keys.get(2)), j.mget(keys.toArray(String[]::new)));
            Transaction tx = j.multi();
            tx.set(keys.get(0), "tx");
            tx.get(keys.get(0));
            assertEquals(List.of("OK", "tx"), tx.exec());
            assertEquals(3L, j.del(keys.toArray(String[]::new)));
        }
        for (String k : keys) {
            assertFalse(cluster.shard(0).client().exists(k));
            assertFalse(cluster.shard(1).client().exists(k));
        }
    }
}
