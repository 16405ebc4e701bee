package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Data-store mode, a master frozen with SIGSTOP (its sockets stay open, nothing answers): it is
 * failed over like a dead one, and when it thaws it is made a replica of the new master before it
 * can take a client write as master.
 */
class PausedMasterTest {

    private static final long DOWN_AFTER_MS = 3_000;

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    @Test
    void aPausedMasterIsFailedOverAndFollowsTheNewMasterWhenItThaws() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 1);
        FailoverFixture.Proxy p1 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS), null, FailoverFixture.stall(2_000));
        FailoverFixture.Proxy p2 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS), null, FailoverFixture.stall(2_000));
        f.awaitHealthViews("ds");
        Topology t = f.topology("ds");
        RedisNode old = groups.get(0).get(0);
        RedisNode replica = groups.get(0).get(1);
        try (WriteLoad w1 = new WriteLoad(p1.port(), FailoverFixture.keysOf(t, "g1", "a:", 100), "w1");
             WriteLoad w2 = new WriteLoad(p2.port(), FailoverFixture.keysOf(t, "g1", "b:", 100), "w2")) {
            w1.awaitMore(200);
            w2.awaitMore(200);
            long pausedAt = System.currentTimeMillis();
            old.pause();
            FailoverFixture.await("the replica to be promoted",
                    () -> f.topology("ds").group("g1").orElseThrow().master().equals(replica.address()));
            f.awaitEpoch(f.topology("ds").epoch());
            w1.awaitMore(100);
            w2.awaitMore(100);
            System.out.printf("datastore SIGSTOP: writes succeeded again %d ms after the pause; %s; %s%n",
                    Math.max(w1.recoveredAt(), w2.recoveredAt()) - pausedAt, w1, w2);
            assertEquals(0, w1.hangs() + w2.hangs(), "pending writes failed after --backend-stall-ms instead of hanging");
        }
        old.resume();
        HostPort promoted = replica.address();
        FailoverFixture.await("the thawed master to follow the new one",
                () -> promoted.toString().equals(old.masterOf()) && old.linkUp());
        try (Jedis j = old.client()) {
            assertTrue(j.info("replication").contains("role:slave"));
        }
        try (Jedis c = FailoverFixture.client(p1.port())) {
            c.set("after-thaw", "x");
            assertEquals("x", c.get("after-thaw"));
        }
    }
}
