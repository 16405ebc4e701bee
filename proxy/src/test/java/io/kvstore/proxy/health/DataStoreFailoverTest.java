package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Data-store mode: a master killed for real under a write load through two proxies. */
class DataStoreFailoverTest {

    private static final long DOWN_AFTER_MS = 3_000;

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    @Test
    void killedMasterIsReplacedByItsBestReplicaAndComesBackAsItsReplica() throws Exception {
        List<String> lost = killMasterUnderLoad(0);
        System.out.printf("datastore kill -9 without write-acks: %d keys lost their last acknowledged write%n", lost.size());
    }

    @Test
    void withWriteAcksNoAcknowledgedWriteIsLost() throws Exception {
        List<String> lost = killMasterUnderLoad(1);
        System.out.printf("datastore kill -9 with write-acks 1: %d keys lost their last acknowledged write%n", lost.size());
        assertEquals(List.of(), lost, "every write acknowledged with WAIT 1 is on the promoted replica");
    }

    /** Kills g1's master under load through two proxies; checks the failover; returns the keys whose acknowledged write is lost. */
    private List<String> killMasterUnderLoad(int writeAcks) throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 2);
        FailoverFixture.Proxy p1 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        FailoverFixture.Proxy p2 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        p1.server().context().writeAcks(writeAcks, 1_000);
        p2.server().context().writeAcks(writeAcks, 1_000);
        List<String> lost;
        f.awaitHealthViews("ds");
        Topology t = f.topology("ds");
        RedisNode oldMaster = groups.get(0).get(0);

        try (WriteLoad w1 = new WriteLoad(p1.port(), FailoverFixture.keysOf(t, "g1", "a:", 200), "w1");
             WriteLoad w2 = new WriteLoad(p2.port(), FailoverFixture.keysOf(t, "g1", "b:", 200), "w2");
             WriteLoad other = new WriteLoad(p1.port(), FailoverFixture.keysOf(t, "g2", "c:", 200), "other")) {
            w1.awaitMore(500);
            w2.awaitMore(500);
            long killedAt = System.currentTimeMillis();
            oldMaster.kill();

            FailoverFixture.await("g1 to get a new master", () -> !f.topology("ds").group("g1").orElseThrow().master()
                    .equals(oldMaster.address()));
            Topology after = f.topology("ds");
            f.awaitEpoch(after.epoch());
            w1.awaitMore(200);
            w2.awaitMore(200);
            other.awaitMore(200);
            long recovered = Math.max(w1.recoveredAt(), w2.recoveredAt());
            System.out.printf("datastore kill -9 (write-acks %d): writes to the group succeeded again %d ms after the kill"
                    + " (down-after %d ms); %s; %s%n", writeAcks, recovered - killedAt, DOWN_AFTER_MS, w1, w2);
            assertTrue(w1.recoveredAt() > 0 && w2.recoveredAt() > 0, "writes failed, then succeeded: " + w1 + "; " + w2);
            assertEquals(0, w1.hangs() + w2.hangs(), "no write hangs");
            assertEquals(0, other.errors(), "the other group kept serving: " + other);

            Group g1 = after.group("g1").orElseThrow();
            assertTrue(g1.replicas().contains(oldMaster.address()), "the old master is listed as a replica: " + g1);
            assertEquals(GroupState.ACTIVE, after.state("g1"));
            HostPort promoted = g1.master();
            assertTrue(promoted.equals(groups.get(0).get(1).address()) || promoted.equals(groups.get(0).get(2).address()));
            RedisNode newMaster = promoted.equals(groups.get(0).get(1).address()) ? groups.get(0).get(1) : groups.get(0).get(2);
            RedisNode otherReplica = newMaster == groups.get(0).get(1) ? groups.get(0).get(2) : groups.get(0).get(1);
            assertEquals("master", newMaster.role());
            FailoverFixture.await("the other replica to follow the new master",
                    () -> promoted.toString().equals(otherReplica.masterOf()) && otherReplica.linkUp());

            FailoverRecord rec = f.ended("ds");
            assertEquals(FailoverRecord.Kind.AUTO, rec.kind());
            assertEquals(FailoverRecord.State.DONE, rec.state());
            assertEquals(promoted, rec.newMaster());
            assertEquals(after.epoch(), rec.epoch());

            w1.close();
            w2.close();
            lost = w1.lost(p2.port());
            lost.addAll(w2.lost(p1.port()));
            System.out.printf("controller's estimate of what was lost: %d bytes of replication stream%n", rec.lostBytes());
        }

        // The old master comes back with its AOF data: it is made a replica before anyone writes to it.
        oldMaster.restart();
        HostPort promoted = f.topology("ds").group("g1").orElseThrow().master();
        FailoverFixture.await("the old master to follow the new one",
                () -> promoted.toString().equals(oldMaster.masterOf()) && oldMaster.linkUp());
        assertEquals("slave", oldMaster.role());
        assertNotEquals(oldMaster.address(), f.topology("ds").group("g1").orElseThrow().master());
        return lost;
    }
}
