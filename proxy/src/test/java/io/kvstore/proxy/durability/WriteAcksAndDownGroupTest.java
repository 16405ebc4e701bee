package io.kvstore.proxy.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code --write-acks}: a write is acknowledged only once a replica has it, and fails with
 * -NOREPLICAS when none does; a group marked down answers -CLUSTERDOWN for its slots only.
 */
class WriteAcksAndDownGroupTest {

    @Test
    void writesWaitForTheReplicaAndFailWithoutIt() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(1); RedisServer replica = RedisServer.start()) {
            try (Jedis r = replica.client()) {
                r.replicaof("127.0.0.1", cluster.shard(0).port());
                Await.until("the replica's link to its master", Duration.ofSeconds(10),
                        () -> r.info("replication").contains("master_link_status:up"));
            }
            cluster.proxy().context().writeAcks(1, 300);
            try (Jedis j = cluster.client()) {
                assertEquals("OK", j.set("durable", "1"));
                assertEquals("1", replica.client().get("durable"), "acknowledged means the replica has it");
                assertEquals(2L, j.incr("durable"));
                assertEquals("2", j.get("durable"), "reads are not held");
                replica.kill();
                JedisDataException e = assertThrows(JedisDataException.class, () -> j.set("durable", "3"));
                assertTrue(e.getMessage().startsWith("NOREPLICAS"), e.getMessage());
                assertEquals("3", j.get("durable"), "the master applied it: -NOREPLICAS says it may be lost, not that it was undone");
            } finally {
                cluster.proxy().context().writeAcks(0, 1000);
            }
        }
    }

    @Test
    void aDownGroupAnswersClusterDownForItsSlotsOnly() {
        try (ProxyCluster cluster = ProxyCluster.start(2)) {
            SlotMap map = cluster.map();
            String on0 = cluster.keysOn(0, "up:", 1).get(0);
            String on1 = cluster.keysOn(1, "down:", 1).get(0);
            cluster.proxy().context().cluster().update(SlotMap.of(map.epoch() + 1, map.groups(), map.ownerArray(), null,
                    new boolean[] {false, true}));
            try (Jedis j = cluster.client()) {
                assertEquals("OK", j.set(on0, "v"));
                JedisDataException e = assertThrows(JedisDataException.class, () -> j.set(on1, "v"));
                assertTrue(e.getMessage().startsWith("CLUSTERDOWN"), e.getMessage());
                JedisDataException m = assertThrows(JedisDataException.class, () -> j.mget(on0, on1));
                assertTrue(m.getMessage().startsWith("CLUSTERDOWN"), m.getMessage());
                assertEquals(List.of("v"), j.mget(on0));
            }
        }
    }
}
