package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The leading controller's process is killed (kill -9) in the middle of a failover, after it
 * promoted a replica and before it published it: another proxy's controller is elected once the
 * dead one's ZooKeeper session ends and takes the recorded failover over. An automatic one it
 * finishes with the same replica; a planned one it rolls back.
 */
class ControllerTakeoverTest {

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    private ProxyProcess leader;

    /** Runs before the extension closes the bench. */
    @AfterEach
    void stop() throws Exception {
        if (leader != null) {
            leader.close();
        }
    }

    /**
     * Starts the leader in a JVM of its own, which stops for two minutes after failover step
     * {@code step}, and two proxies in this one; returns the first of these once every health
     * view is complete.
     */
    private FailoverFixture.Proxy startPausingLeader(String step) throws Exception {
        leader = ProxyProcess.pausingAfter(step, 120_000, f.zk.getConnectString(), "ds",
                "--zk-session-timeout-ms", "4000", "--health-interval-ms", "200", "--health-timeout-ms", "500",
                "--down-after-ms", "2000");
        FailoverFixture.await("the external proxy to lead (log: " + leader.id() + ")",
                () -> leader.id().equals(f.admin.controllerLeader("ds").orElse(null)));
        FailoverFixture.Proxy p1 = f.startProxy("ds", FailoverFixture.fast(2_000));
        f.startProxy("ds", FailoverFixture.fast(2_000));
        FailoverFixture.await("three health views", () -> f.admin.healthReports("ds").size() == 3);
        int servers = f.topology("ds").addresses().size();
        FailoverFixture.await("every view complete",
                () -> f.admin.healthReports("ds").stream().allMatch(r -> r.nodes().size() == servers));
        return p1;
    }

    @Test
    void aNewLeaderFinishesTheFailoverADeadLeaderStarted() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 2);
        FailoverFixture.Proxy p1 = startPausingLeader("promoted");
        RedisNode old = groups.get(0).get(0);
        old.kill();
        FailoverFixture.await("the leader to promote a replica and stop there",
                () -> f.failovers("ds").stream().anyMatch(r -> r.note().startsWith("promoted")));
        FailoverRecord mid = f.failovers("ds").get(0);
        assertEquals(leader.id(), mid.by());
        HostPort promoted = mid.newMaster();
        assertEquals(old.address(), f.topology("ds").group("g1").orElseThrow().master(), "not published yet");
        RedisNode promotedNode = groups.get(0).stream().filter(n -> n.address().equals(promoted)).findFirst().orElseThrow();
        assertEquals("master", promotedNode.role(), "promoted by the leader before it died");

        leader.kill();
        assertTrue(leader.log().contains("test pause"), leader.log());
        FailoverFixture.await("another controller to publish the promoted replica",
                () -> f.topology("ds").group("g1").orElseThrow().master().equals(promoted));
        FailoverRecord done = f.ended("ds");
        assertEquals(FailoverRecord.State.DONE, done.state());
        assertNotEquals(leader.id(), done.by(), "finished by the new leader");
        assertEquals(promoted, done.newMaster());
        Optional<String> now = f.admin.controllerLeader("ds");
        assertTrue(now.isPresent() && !now.get().equals(leader.id()));
        RedisNode third = groups.get(0).stream().filter(n -> n != old && n != promotedNode).findFirst().orElseThrow();
        FailoverFixture.await("the other replica to follow the promoted one",
                () -> promoted.toString().equals(third.masterOf()) && third.linkUp());
        f.awaitEpoch(f.topology("ds").epoch());
        try (Jedis c = FailoverFixture.client(p1.port())) {
            for (String k : FailoverFixture.keysOf(f.topology("ds"), "g1", "k:", 20)) {
                c.set(k, "v");
            }
        }
        assertEquals(1, f.failovers("ds").size(), "one failover, not two");
    }

    /**
     * A planned failover whose leader died after promoting the target, before publishing it: the
     * old master may have taken writes since, so the next leader does not go on but rolls it all
     * back (the target follows the old master again, the old master takes writes, the group loses
     * its mark) and fails the record.
     */
    @Test
    void aNewLeaderRollsBackAPlannedFailoverADeadLeaderLeftAfterPromoting() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 2);
        FailoverFixture.Proxy p1 = startPausingLeader("promoted");
        RedisNode old = groups.get(0).get(0);
        RedisNode target = groups.get(0).get(2);
        Topology before = f.topology("ds");
        f.admin.createFailover("ds", FailoverRecord.start("g1", FailoverRecord.Kind.PLANNED, ClusterMode.DATASTORE,
                old.address(), target.address(), before.epoch(), System.currentTimeMillis(), "test"));
        FailoverFixture.await("the leader to promote the target and stop there",
                () -> f.failovers("ds").stream().anyMatch(r -> r.note().startsWith("promoted")));
        assertEquals("master", target.role(), "promoted by the leader before it died");
        assertEquals(GroupState.FAILING_OVER, f.topology("ds").state("g1"), "marked, not published");

        leader.kill();
        FailoverFixture.await("another controller to fail the record",
                () -> f.failovers("ds").get(0).state() == FailoverRecord.State.FAILED);
        FailoverRecord done = f.failovers("ds").get(0);
        assertTrue(done.note().contains("rolled back"), done.note());
        assertNotEquals(leader.id(), done.by(), "failed by the new leader");
        Topology after = f.topology("ds");
        assertEquals(old.address(), after.group("g1").orElseThrow().master(), "the old master stays");
        assertEquals(GroupState.ACTIVE, after.state("g1"), "the mark is off");
        FailoverFixture.await("the target to follow the old master again",
                () -> old.address().toString().equals(target.masterOf()) && target.linkUp());
        f.awaitEpoch(after.epoch());
        try (Jedis c = FailoverFixture.client(p1.port())) {
            for (String k : FailoverFixture.keysOf(after, "g1", "k:", 20)) {
                c.set(k, "v");
            }
        }
        assertEquals(1, f.failovers("ds").size(), "no other failover");
    }
}
