package io.kvstore.config.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.HealthReport.NodeHealth;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health views, failover records, the controller's latch and guarded writes in ZooKeeper. */
class FailoverStoreTest {

    private TestingServer zk;
    private ClusterStore store;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer();
        store = ClusterStore.connect(new ZkSettings(zk.getConnectString(), 10_000, 5_000, 2, null));
        store.create(Topology.create("shop", ClusterMode.DATASTORE,
                List.of(TopologyTest.group("g1", 7001, 7101), TopologyTest.group("g2", 7002))));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        zk.close();
    }

    private static HostPort at(int port) {
        return new HostPort("127.0.0.1", port);
    }

    @Test
    void healthViewsRoundTripAndAreListedPerProxy() throws Exception {
        HealthReport h = new HealthReport("127.0.0.1:7000", 3, 1000,
                Map.of(at(7001), new NodeHealth(false, 900, "connection refused"), at(7101), new NodeHealth(true, 10, null)));
        assertEquals(h, ProxyCodec.decodeHealth("127.0.0.1:7000", ProxyCodec.encodeHealth(h)));
        store.client().create().withMode(CreateMode.EPHEMERAL)
                .forPath(StorePaths.healthOf("shop", "127.0.0.1:7000"), ProxyCodec.encodeHealth(h));
        store.client().create().withMode(CreateMode.EPHEMERAL)
                .forPath(StorePaths.healthOf("shop", "broken"), "{".getBytes(StandardCharsets.UTF_8));
        List<HealthReport> all = store.healthReports("shop");
        assertEquals(List.of(h), all, "unreadable views are skipped");
        assertThrows(StoreException.Malformed.class, () -> ProxyCodec.decodeHealth("x", "{\"version\":1,\"epoch\":1,\"at\":1}"
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void failoverRecordsAreSequentialComparedAndSetAndPruned() {
        FailoverRecord r = FailoverRecord.start("g1", FailoverRecord.Kind.AUTO, ClusterMode.DATASTORE, at(7001), null, 1, 5, "p1");
        Versioned<FailoverRecord> a = store.createFailover("shop", r);
        Versioned<FailoverRecord> b = store.createFailover("shop", r);
        assertTrue(a.value().id().compareTo(b.value().id()) < 0, a.value().id() + " before " + b.value().id());
        Versioned<FailoverRecord> chosen = store.updateFailover("shop", a.value().chose(at(7101), 12, "promoting"), a.version());
        assertThrows(StoreException.Conflict.class, () -> store.updateFailover("shop", a.value().note("stale"), a.version()));
        store.updateFailover("shop", chosen.value().withSlots(List.of(new SlotRange(0, 9, "g1"), new SlotRange(20, 20, "g1")), "x")
                .done(2, 9, "promoted"), chosen.version());
        List<Versioned<FailoverRecord>> all = store.failovers("shop");
        assertEquals(2, all.size());
        FailoverRecord done = all.get(0).value();
        assertEquals(FailoverRecord.State.DONE, done.state());
        assertEquals(at(7101), done.newMaster());
        assertEquals(12, done.lostBytes());
        assertEquals(2, done.epoch());
        assertEquals(List.of(new SlotRange(0, 9, "g1"), new SlotRange(20, 20, "g1")), done.slots());
        assertEquals(done, FailoverCodec.decodeFailover(done.id(), FailoverCodec.encodeFailover(done)));
        store.pruneFailovers("shop", 0);
        assertEquals(List.of(b.value().id()), store.failovers("shop").stream().map(v -> v.value().id()).toList(),
                "a record still running is kept");
    }

    @Test
    void theLeaderIsNamedAndOnlyItsGuardedWritesGoThrough() throws Exception {
        assertTrue(store.controllerLeader("shop").isEmpty());
        LeaderLatch latch = new LeaderLatch(store.client(), StorePaths.controller("shop"), "proxy-a");
        latch.start();
        latch.await();
        assertEquals("proxy-a", store.controllerLeader("shop").orElseThrow());
        String guard = latch.getOurPath();
        store.update("shop", t -> t.withGroupState("g2", GroupState.DOWN), guard);
        assertEquals(GroupState.DOWN, store.read("shop").value().state("g2"));
        latch.close();
        assertThrows(StoreException.Conflict.class,
                () -> store.update("shop", t -> t.withGroupState("g2", GroupState.ACTIVE), guard));
        assertEquals(GroupState.DOWN, store.read("shop").value().state("g2"), "a deposed leader writes nothing");
    }
}
