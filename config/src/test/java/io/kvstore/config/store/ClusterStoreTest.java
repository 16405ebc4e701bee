package io.kvstore.config.store;

import static io.kvstore.config.store.TopologyTest.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClusterStoreTest {

    private TestingServer zk;
    private ClusterStore store;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer();
        store = ClusterStore.connect(settings());
    }

    private ZkSettings settings() {
        return new ZkSettings(zk.getConnectString(), 10_000, 5_000, 2, null);
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        zk.close();
    }

    private static Topology twoGroups(String name, int basePort) {
        return Topology.create(name, ClusterMode.CACHE, List.of(group("g1", basePort, basePort + 100), group("g2", basePort + 1)));
    }

    @Test
    void createReadListAndDelete() {
        assertEquals(List.of(), store.clusters());
        Versioned<Topology> created = store.create(twoGroups("shop", 7001));
        assertEquals(twoGroups("shop", 7001), created.value());
        assertEquals(0, created.version());
        store.create(twoGroups("alpha", 8001));
        assertEquals(List.of("alpha", "shop"), store.clusters());
        assertEquals(new ClaimCodec.ServerClaim("shop", "g1"), store.claim(new HostPort("127.0.0.1", 7101)).orElseThrow());

        store.delete("shop", false);
        assertEquals(List.of("alpha"), store.clusters());
        assertTrue(store.claim(new HostPort("127.0.0.1", 7001)).isEmpty(), "claims are released with the cluster");
        StoreException.NotFound nf = assertThrows(StoreException.NotFound.class, () -> store.read("shop"));
        assertTrue(nf.getMessage().contains("no cluster 'shop'") && nf.getMessage().contains("clusters: alpha"), nf.getMessage());
        // the servers are free again
        store.create(twoGroups("shop2", 7001));
    }

    @Test
    void aNameOrAServerIsTakenOnce() {
        store.create(twoGroups("shop", 7001));
        StoreException.Conflict again = assertThrows(StoreException.Conflict.class, () -> store.create(twoGroups("shop", 9001)));
        assertTrue(again.getMessage().contains("cluster shop already exists"), again.getMessage());
        StoreException.Conflict shared = assertThrows(StoreException.Conflict.class, () -> store.create(
                Topology.create("other", ClusterMode.CACHE, List.of(group("g1", 9001), group("g2", 7101)))));
        assertTrue(shared.getMessage().contains("127.0.0.1:7101 is already a member of cluster 'shop' (group g1)"), shared.getMessage());
        assertEquals(List.of("shop"), store.clusters(), "a refused create leaves nothing behind");
        IllegalArgumentException added = assertThrows(IllegalArgumentException.class,
                () -> store.update("shop", t -> t.withGroupAdded(group("g3", 7002))));
        assertTrue(added.getMessage().contains("127.0.0.1:7002 is listed twice"), added.getMessage());
    }

    @Test
    void updatesMoveClaimsWithTheGroups() {
        store.create(twoGroups("shop", 7001));
        Versioned<Topology> v = store.update("shop", t -> t.withGroupAdded(group(t.nextGroupId(), 7003, 7103)));
        assertEquals(2, v.value().epoch());
        assertEquals(1, v.version());
        assertEquals("g3", store.claim(new HostPort("127.0.0.1", 7103)).orElseThrow().group());
        store.update("shop", t -> t.withGroupRemoved("g3"));
        assertTrue(store.claim(new HostPort("127.0.0.1", 7003)).isEmpty());
        assertTrue(store.claim(new HostPort("127.0.0.1", 7103)).isEmpty());
        assertEquals(3, store.read("shop").value().epoch());
        // refusals come back unchanged and write nothing
        assertThrows(StoreException.Conflict.class, () -> store.update("shop", t -> t.withGroupRemoved("g1")));
        assertThrows(StoreException.NotFound.class, () -> store.update("nope", t -> t));
        assertEquals(3, store.read("shop").value().epoch());
    }

    /** Several admins, each with its own ZooKeeper session, adding groups at once: none is lost. */
    @Test
    void concurrentWritersNeverLoseAnUpdate() throws Exception {
        store.create(Topology.create("shop", ClusterMode.CACHE, List.of(group("g1", 7001))));
        int writers = 4;
        int each = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                try (ClusterStore mine = ClusterStore.connect(settings())) {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        String id = "w" + writer + "-" + i;
                        int port = 10_000 + writer * 100 + i;
                        mine.update("shop", t -> t.withGroupAdded(new Group(id, new HostPort("127.0.0.1", port), List.of(), null))
                                .withSlotsAssigned(List.of(new SlotRange(port - 10_000, port - 10_000, id))));
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        Topology t = store.read("shop").value();
        assertEquals(1 + writers * each * 2L, t.epoch(), "every change raised the epoch by its own steps");
        Set<String> ids = new HashSet<>();
        t.groups().forEach(g -> ids.add(g.id()));
        assertEquals(1 + writers * each, ids.size());
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < each; i++) {
                String id = "w" + w + "-" + i;
                assertEquals(1, t.slotCount(id), id);
                assertEquals(id, store.claim(new HostPort("127.0.0.1", 10_000 + w * 100 + i)).orElseThrow().group());
            }
        }
    }

    @Test
    void deleteIsRefusedWhileProxiesAreRegistered() throws Exception {
        store.create(twoGroups("shop", 7001));
        CuratorFramework c = store.client();
        c.create().withMode(CreateMode.EPHEMERAL).forPath(StorePaths.proxy("shop", "127.0.0.1:7000"),
                ProxyCodec.encodeProxy(new ProxyRecord("127.0.0.1:7000", new HostPort("127.0.0.1", 7000), 1, 1, 1, null, "t")));
        c.create().withMode(CreateMode.EPHEMERAL).forPath(StorePaths.proxy("shop", "broken"), "{".getBytes(StandardCharsets.UTF_8));
        List<ClusterStore.Registration> regs = store.proxies("shop");
        assertEquals(2, regs.size());
        assertEquals(1, regs.get(0).proxy().appliedEpoch());
        assertTrue(regs.get(1).unreadable().contains("not valid JSON"), regs.get(1).unreadable());

        StoreException.Conflict refused = assertThrows(StoreException.Conflict.class, () -> store.delete("shop", false));
        assertTrue(refused.getMessage().contains("2 proxies still serve cluster shop"), refused.getMessage());
        store.delete("shop", true);
        assertEquals(List.of(), store.clusters());
        assertFalse(store.claim(new HostPort("127.0.0.1", 7001)).isPresent());
    }

    @Test
    void aMalformedTopologyIsReportedNotSwallowed() throws Exception {
        store.create(twoGroups("shop", 7001));
        store.client().setData().forPath(StorePaths.topology("shop"), "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
        StoreException.Malformed m = assertThrows(StoreException.Malformed.class, () -> store.read("shop"));
        assertTrue(m.getMessage().startsWith("topology of cluster shop is invalid"), m.getMessage());
        assertThrows(StoreException.Malformed.class, () -> store.update("shop", t -> t));
        store.delete("shop", false); // an operator can still remove it
        assertEquals(List.of(), store.clusters());
    }

    @Test
    void digestAuthLocksOthersOut() throws Exception {
        try (ClusterStore admin = ClusterStore.connect(settings().withDigest("ops:secret"))) {
            admin.create(twoGroups("shop", 7001));
            assertEquals(1, admin.read("shop").value().epoch());
        }
        StoreException.Unavailable anonymous = assertThrows(StoreException.Unavailable.class, () -> store.read("shop"));
        assertTrue(anonymous.getMessage().contains("refused access"), anonymous.getMessage());
        try (ClusterStore wrong = ClusterStore.connect(settings().withDigest("ops:wrong"))) {
            assertThrows(StoreException.Unavailable.class, () -> wrong.read("shop"));
        }
    }

    @Test
    void anUnreachableZooKeeperIsReportedQuickly() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ZkSettings nowhere = new ZkSettings("127.0.0.1:" + port, 5_000, 1_000, 0, null);
        StoreException.Unavailable e = assertThrows(StoreException.Unavailable.class, () -> ClusterStore.connect(nowhere));
        assertTrue(e.getMessage().contains("cannot reach ZooKeeper 127.0.0.1:" + port + " within 1000 ms"), e.getMessage());
    }
}
