package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** Data-store mode, a group with no replica loses its master: its slots only answer -CLUSTERDOWN until it is back. */
class NoReplicaTest {

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    @Test
    void aGroupWithoutReplicaIsDownForItsSlotsOnlyAndComesBackWithItsData() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 0);
        FailoverFixture.Proxy p = f.startProxy("ds", FailoverFixture.fast(2_000));
        f.startProxy("ds", FailoverFixture.fast(2_000));
        f.awaitHealthViews("ds");
        Topology t = f.topology("ds");
        String g1Key = FailoverFixture.keysOf(t, "g1", "a:", 1).get(0);
        String g2Key = FailoverFixture.keysOf(t, "g2", "b:", 1).get(0);
        try (Jedis c = FailoverFixture.client(p.port())) {
            c.set(g1Key, "kept");
        }
        FailoverFixture.sleep(1_500); // appendfsync everysec
        RedisNode master = groups.get(0).get(0);
        master.kill();
        FailoverFixture.await("g1 to be marked down", () -> f.topology("ds").state("g1") == GroupState.DOWN);
        f.awaitEpoch(f.topology("ds").epoch());
        try (Jedis c = FailoverFixture.client(p.port())) {
            JedisDataException e = assertThrows(JedisDataException.class, () -> c.get(g1Key));
            assertTrue(e.getMessage().startsWith("CLUSTERDOWN"), e.getMessage());
            c.set(g2Key, "fine");
            assertEquals("fine", c.get(g2Key), "the other group serves");
        }
        FailoverRecord rec = f.failovers("ds").get(0);
        assertEquals(FailoverRecord.State.FAILED, rec.state());
        assertTrue(rec.note().contains("no reachable replica"), rec.note());

        master.restart();
        FailoverFixture.await("g1 to be active again", () -> f.topology("ds").state("g1") == GroupState.ACTIVE);
        f.awaitEpoch(f.topology("ds").epoch());
        try (Jedis c = FailoverFixture.client(p.port())) {
            assertEquals("kept", c.get(g1Key), "a data-store master is not flushed: it comes back with its data");
        }
        assertEquals(1, f.failovers("ds").stream().filter(r -> r.kind() == FailoverRecord.Kind.REJOIN).count());
    }
}
