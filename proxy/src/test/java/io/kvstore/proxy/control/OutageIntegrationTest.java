package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.testing.RedisServer;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ZooKeeper going away and coming back, and a proxy started before ZooKeeper is there. */
class OutageIntegrationTest {

    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void proxyKeepsServingWhileZooKeeperIsDownAndResyncsWhenItIsBack() throws Exception {
        f = ZkFixture.start(2);
        f.createCluster("shop", 2);
        f.mirror(1_000);
        ZkFixture.Proxy p = f.startProxy("shop");
        f.awaitApplied(p, "shop", 1);
        try (MirroredLoad load = new MirroredLoad(p.port(), 1_000, 32, 1_000_000, 3)) {
            load.awaitProgress(5);

            f.zk.stop();
            ZkFixture.await("the proxy to notice ZooKeeper is gone",
                    () -> p.control().status().connection() != ControlStatus.Connection.CONNECTED);
            load.awaitProgress(20);
            assertNull(load.failure(), "clients are served while ZooKeeper is down");
            assertEquals(1, p.appliedEpoch());
            String info = p.server().context().infoSection("proxy");
            assertTrue(info.matches("(?s).*zk_state:(suspended|lost)\r\n.*") && info.contains("zk_last_error:lost contact")
                    || info.contains("zk_last_error:ZooKeeper session lost"), info);
            // stay away longer than the session: the registration goes and must come back
            ZkFixture.await("the session to be declared lost",
                    () -> p.control().status().connection() == ControlStatus.Connection.LOST);
            load.awaitProgress(5);

            f.zk.restart();
            ZkFixture.await("the proxy to reconnect", () -> p.control().status().connection() == ControlStatus.Connection.CONNECTED);
            ZkFixture.await("the admin to reconnect", () -> f.admin.client().getZookeeperClient().isConnected());
            ZkFixture.await("the registration to come back", () -> f.admin.proxies("shop").size() == 1);
            f.admin.update("shop", t -> t.withSlotsAssigned(List.of(new SlotRange(0, 99, "g2"))));
            f.awaitApplied(p, "shop", 2);
            assertNull(p.control().status().lastError());
            load.awaitProgress(5);
            assertNull(load.failure());
        }
    }

    @Test
    void aProxyStartedWithoutZooKeeperWaitsSaysSoAndLoadsTheClusterLater() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TestingServer zk = new TestingServer(port, false); RedisServer redis = RedisServer.start()) {
            ZkSettings settings = new ZkSettings(zk.getConnectString(), 6_000, 1_000, 1, null);
            try (ProxyControl control = ProxyControl.start(settings, "late", BackendAuth.NONE)) {
                CompletableFuture<SlotMap> first = new CompletableFuture<>();
                Thread waiter = new Thread(() -> {
                    try {
                        first.complete(control.awaitInitialMap());
                    } catch (Throwable t) {
                        first.completeExceptionally(t);
                    }
                }, "await-initial-map");
                waiter.start();
                ZkFixture.await("the proxy to say ZooKeeper is unreachable", () -> control.status().lastError() != null
                        && control.status().lastError().contains("not reachable yet"));
                assertEquals(ControlStatus.Connection.CONNECTING, control.status().connection());

                zk.start();
                ZkFixture.await("the proxy to say the cluster does not exist", () -> control.status().lastError() != null
                        && control.status().lastError().contains("cluster late does not exist in ZooKeeper"));
                try (ClusterStore admin = ClusterStore.connect(settings)) {
                    admin.create(Topology.create("late", ClusterMode.CACHE,
                            List.of(io.kvstore.config.Group.of("g1", io.kvstore.config.HostPort.parse(redis.address())))));
                }
                SlotMap map = first.get(60, TimeUnit.SECONDS);
                assertEquals(1, map.epoch());
                assertNull(control.status().lastError());
                waiter.join(10_000);
            }
        }
    }
}
