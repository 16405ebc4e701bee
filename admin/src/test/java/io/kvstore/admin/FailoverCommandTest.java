package io.kvstore.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.ProxyCodec;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.StorePaths;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.testing.Await;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kvstore-admin failover} and the failover part of {@code status}, against an in-process
 * ZooKeeper: refusals and exit codes, the request handed to a (stand-in) controller, and what
 * status shows of health views and failover records. No redis-server is needed.
 */
class FailoverCommandTest {

    private TestingServer zk;
    private ClusterStore store;

    private static HostPort at(int port) {
        return new HostPort("127.0.0.1", port);
    }

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer();
        store = ClusterStore.connect(new ZkSettings(zk.getConnectString(), 10_000, 3_000, 1, null));
        store.create(Topology.create("shop", ClusterMode.DATASTORE, List.of(
                new Group("g1", at(17001), List.of(at(17101)), null), new Group("g2", at(17002), List.of(), null))));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        zk.close();
    }

    private AdminRun admin(String... args) {
        return AdminRun.of(zk.getConnectString(), args);
    }

    @Test
    void refusalsSayWhyWithTheirExitCodes() {
        assertEquals(3, admin("failover", "shop", "--group", "nope").code());
        AdminRun noReplica = admin("failover", "shop", "--group", "g2");
        assertEquals(4, noReplica.code(), noReplica.toString());
        assertTrue(noReplica.err().contains("no replica"), noReplica.toString());
        AdminRun notAReplica = admin("failover", "shop", "--group", "g1", "--to", "127.0.0.1:17002");
        assertEquals(4, notAReplica.code(), notAReplica.toString());
        AdminRun noController = admin("failover", "shop", "--group", "g1");
        assertEquals(4, noController.code(), noController.toString());
        assertTrue(noController.err().contains("no failover controller runs"), noController.toString());
        assertEquals(2, admin("failover", "shop", "--group", "g1", "--to", "not-an-address").code());
        assertEquals(List.of(), store.failovers("shop"), "nothing was requested");
    }

    @Test
    void theRequestIsCarriedOutByTheControllerAndWaitedFor() throws Exception {
        LeaderLatch latch = new LeaderLatch(store.client(), StorePaths.controller("shop"), "127.0.0.1:7000");
        latch.start();
        latch.await();
        AtomicBoolean stop = new AtomicBoolean();
        Thread controller = new Thread(() -> {
            while (!stop.get()) { // a stand-in for the proxies' controller: picks the request up and finishes it
                for (Versioned<FailoverRecord> v : store.failovers("shop")) {
                    if (v.value().state() == FailoverRecord.State.REQUESTED) {
                        Versioned<FailoverRecord> running = store.updateFailover("shop",
                                v.value().runBy("127.0.0.1:7000", "pausing writes on " + v.value().oldMaster()), v.version());
                        long epoch = store.update("shop", t -> t.withMaster("g1", at(17101), List.of(at(17001)))).value().epoch();
                        store.updateFailover("shop", running.value().chose(at(17101), 0, "x").done(epoch, System.currentTimeMillis(),
                                "planned: done"), running.version());
                    }
                }
                Await.sleep(20);
            }
        });
        controller.start();
        try {
            AdminRun run = admin("failover", "shop", "--group", "g1");
            assertEquals(0, run.code(), run.toString());
            assertTrue(run.out().contains("requested (master 127.0.0.1:17001); controller 127.0.0.1:7000 carries it out"), run.toString());
            assertTrue(run.out().contains("done: 127.0.0.1:17101 is the master of group g1 (epoch 2"), run.toString());
            AdminRun busy = admin("failover", "shop", "--group", "g1", "--timeout-ms", "1");
            assertTrue(busy.code() == 0 || busy.code() == 1, "a second request is taken too: " + busy);
        } finally {
            stop.set(true);
            controller.join(5_000);
            latch.close();
        }
    }

    @Test
    void statusShowsTheControllerTheProxiesViewsAndRecentFailovers() throws Exception {
        store.client().create().withMode(CreateMode.EPHEMERAL).forPath(StorePaths.proxy("shop", "127.0.0.1:7000"),
                ProxyCodec.encodeProxy(new ProxyRecord("127.0.0.1:7000", at(7000), 1, 2, 1, null, "test")));
        store.client().create().withMode(CreateMode.EPHEMERAL).forPath(StorePaths.healthOf("shop", "127.0.0.1:7000"),
                ProxyCodec.encodeHealth(new HealthReport("127.0.0.1:7000", 2, 5, Map.of(
                        at(17001), new HealthReport.NodeHealth(true, 1, null),
                        at(17002), new HealthReport.NodeHealth(false, 1_000, "connection refused")))));
        store.update("shop", t -> t.withGroupState("g2", GroupState.DOWN));
        Versioned<FailoverRecord> rec = store.createFailover("shop", FailoverRecord.start("g2", FailoverRecord.Kind.AUTO,
                ClusterMode.DATASTORE, at(17002), null, 1, 10, "127.0.0.1:7000"));
        store.updateFailover("shop", rec.value().failed(20, "no reachable replica to promote"), rec.version());

        AdminRun text = admin("status", "shop", "--no-redis");
        assertEquals(5, text.code(), text.toString());
        assertTrue(text.out().contains("DOWN for 1 of 1 proxies since"), text.toString());
        assertTrue(text.out().contains("FAILOVER CONTROLLER: none running"), text.toString());
        assertTrue(text.out().contains("failed") && text.out().contains("no reachable replica to promote"), text.toString());
        assertTrue(text.out().contains("group g2 is down: its slots answer -CLUSTERDOWN"), text.toString());

        JsonNode json = new ObjectMapper().readTree(admin("status", "shop", "--no-redis", "--json").out());
        JsonNode g2 = json.get("groups").get(1);
        assertEquals("down", g2.get("state").asText());
        assertEquals(1, g2.get("master").get("seenDownBy").asInt());
        assertEquals(1, g2.get("master").get("checkedBy").asInt());
        assertEquals(0, json.get("groups").get(0).get("master").get("seenDownBy").asInt());
        assertEquals("failed", json.get("failovers").get(0).get("state").asText());
        assertTrue(json.get("controller").isNull());
    }
}
