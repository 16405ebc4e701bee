package io.kvstore.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.ProxyCodec;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.StorePaths;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.testing.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code kvstore-admin} against an in-process ZooKeeper and real redis-servers: output and exit codes. */
class AdminCliTest {

    private static final List<RedisServer> REDIS = new ArrayList<>();
    private TestingServer zk;

    @BeforeAll
    static void servers() throws Exception {
        for (int i = 0; i < 4; i++) {
            REDIS.add(RedisServer.start());
        }
        REDIS.get(2).replicate(REDIS.get(0)); // server 2 is a replica of server 0
    }

    @AfterAll
    static void stopServers() {
        REDIS.forEach(RedisServer::close);
    }

    @BeforeEach
    void startZk() throws Exception {
        zk = new TestingServer();
        for (int i = 0; i < REDIS.size(); i++) {
            if (i != 2) { // the replica follows its master
                REDIS.get(i).call("FLUSHALL");
            }
        }
    }

    @AfterEach
    void stopZk() throws Exception {
        zk.close();
    }

    private static String addr(int i) {
        return REDIS.get(i).address();
    }

    private AdminRun admin(String... args) {
        return AdminRun.of(zk.getConnectString(), args);
    }

    private AdminRun createShop() {
        AdminRun r = admin("cluster", "create", "shop", "--mode", "cache", "--group", addr(0) + "," + addr(2), "--group", addr(1));
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    private ClusterStore store() {
        return ClusterStore.connect(new ZkSettings(zk.getConnectString(), 10_000, 3_000, 1, null));
    }

    @Test
    void createListShowStatusAndDelete() throws Exception {
        REDIS.get(0).call("SET", "a", "1");
        REDIS.get(0).call("SET", "b", "2");
        AdminRun created = createShop();
        assertTrue(created.out().contains("created cluster shop (cache), epoch 1"), created.toString());
        assertTrue(created.out().contains("g1       " + addr(0)) && created.out().contains("8192 slots  0-8191"), created.toString());

        AdminRun list = admin("cluster", "list");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().matches("(?s)NAME.*\nshop\\s+cache\\s+1\\s+2\\s+0\n"), list.toString());

        AdminRun slots = admin("slots", "show", "shop");
        assertTrue(slots.out().contains("0-8191    8192 slots  g1"), slots.toString());

        AdminRun status = admin("status", "shop");
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("cluster shop: mode cache, epoch 1, 2 groups, 0 proxies"), status.toString());
        assertTrue(status.out().contains("master: up, master"), status.toString());
        assertTrue(status.out().contains("replica: up, replica of " + addr(0)), status.toString());
        assertTrue(status.out().contains("status: ok"), status.toString());

        AdminRun json = admin("status", "shop", "--json");
        assertEquals(0, json.code(), json.toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(1, root.get("epoch").asLong());
        assertEquals(2, root.get("groups").get(0).get("keys").asLong(), "DBSIZE of g1's master");
        assertEquals("replica", root.get("groups").get(0).get("replicas").get(0).get("role").asText());
        assertEquals(8192, root.get("groups").get(1).get("slots").asInt());
        assertTrue(root.get("healthy").asBoolean());

        AdminRun deleted = admin("cluster", "delete", "shop");
        assertEquals(0, deleted.code(), deleted.toString());
        assertEquals(3, admin("status", "shop").code());
    }

    @Test
    void verifyFindsKeysOnAGroupThatDoesNotOwnTheirSlot() throws Exception {
        createShop(); // g1: server 0, slots 0-8191; g2: server 1, slots 8192-16383
        String home = keyIn(0, 8191);
        String away = keyIn(8192, 16383);
        REDIS.get(0).call("SET", home, "1");
        REDIS.get(1).call("SET", away, "2");
        AdminRun clean = admin("verify", "shop");
        assertEquals(0, clean.code(), clean.toString());
        assertTrue(clean.out().contains("every key is on the group that owns its slot"), clean.toString());

        REDIS.get(0).call("SET", away, "stale"); // as a --no-data flip or a write around the proxies leaves it
        AdminRun stray = admin("verify", "shop");
        assertEquals(5, stray.code(), stray.toString());
        assertTrue(stray.out().contains("stray: " + away + " (slot " + io.kvstore.config.SlotHash.slot(away.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)) + ", owned by g2)"), stray.toString());
        JsonNode json = new ObjectMapper().readTree(admin("verify", "shop", "--json").out());
        assertEquals(2, json.path("groups").get(0).path("keys").asLong());
        assertEquals(1, json.path("groups").get(0).path("strays").asLong());
        assertEquals(0, json.path("groups").get(1).path("strays").asLong());

        AdminRun purged = admin("verify", "shop", "--purge");
        assertEquals(0, purged.code(), purged.toString());
        assertTrue(purged.out().contains("purged 1 stray keys"), purged.toString());
        assertEquals("1", REDIS.get(0).call("GET", home), "the key of its own slot stays");
        assertEquals(null, REDIS.get(0).call("GET", away));
        assertEquals("2", REDIS.get(1).call("GET", away), "the owner's copy stays");
    }

    /** A key whose slot is within {@code from..to}. */
    private static String keyIn(int from, int to) {
        for (int i = 0; ; i++) {
            String k = "verify:" + i;
            int slot = io.kvstore.config.SlotHash.slot(k.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (slot >= from && slot <= to) {
                return k;
            }
        }
    }

    @Test
    void groupsComeAndGoAndSlotsMove() {
        createShop();
        AdminRun added = admin("group", "add", "shop", addr(3));
        assertEquals(0, added.code(), added.toString());
        assertTrue(added.out().contains("added group g3 (master " + addr(3) + ") to cluster shop, epoch 2; it owns no slots yet"),
                added.toString());
        AdminRun assigned = admin("slots", "assign", "shop", "0-99", "200,300", "--to", "g3");
        assertEquals(0, assigned.code(), assigned.toString());
        assertTrue(assigned.out().contains("assigned 102 slots to group g3 of cluster shop, epoch 3"), assigned.toString());
        AdminRun refused = admin("group", "remove", "shop", "g3");
        assertEquals(4, refused.code(), refused.toString());
        assertTrue(refused.err().contains("group g3 still owns 102 slots"), refused.toString());
        assertEquals(0, admin("slots", "assign", "shop", "0-99", "200", "300", "--to", "g1").code());
        AdminRun removed = admin("group", "remove", "shop", "g3");
        assertEquals(0, removed.code(), removed.toString());
        assertTrue(removed.out().contains("removed group g3 from cluster shop, epoch 5"), removed.toString());
        assertEquals(3, admin("group", "remove", "shop", "g3").code());
        assertEquals(3, admin("slots", "assign", "shop", "1", "--to", "g9").code());
    }

    @Test
    void everyMistakeHasAMessageAndAnExitCode() throws Exception {
        AdminRun unknown = admin("status", "nope");
        assertEquals(3, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("no cluster 'nope'") && unknown.err().contains("there are no clusters yet"), unknown.toString());

        int closed = RedisServer.freePort();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AdminMain());
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute("--zk", "127.0.0.1:" + closed, "--zk-timeout-ms", "500", "cluster", "list"));
        assertTrue(err.toString().contains("cannot reach ZooKeeper 127.0.0.1:" + closed), err.toString());

        assertEquals(2, admin("cluster", "create", "x", "--mode", "weird", "--group", addr(0)).code());
        assertEquals(2, admin("cluster", "create", "x", "--group", addr(0)).code(), "--mode is required");
        AdminRun badAddress = admin("cluster", "create", "x", "--mode", "cache", "--group", "localhost");
        assertEquals(2, badAddress.code(), badAddress.toString());
        assertTrue(badAddress.err().contains("expected host:port"), badAddress.toString());
        AdminRun overlap = admin("cluster", "create", "x", "--mode", "cache", "--group", addr(0), "--group", addr(1) + "," + addr(0));
        assertEquals(2, overlap.code(), overlap.toString());
        assertTrue(overlap.err().contains(addr(0) + " is listed twice"), overlap.toString());

        AdminRun down = admin("cluster", "create", "x", "--mode", "cache", "--group", "127.0.0.1:" + closed);
        assertEquals(1, down.code(), down.toString());
        assertTrue(down.err().contains("cannot reach redis-server: master 127.0.0.1:" + closed + " of group g1: connection refused"),
                down.toString());
        AdminRun replicaAsMaster = admin("cluster", "create", "x", "--mode", "cache", "--group", addr(2));
        assertEquals(4, replicaAsMaster.code(), replicaAsMaster.toString());
        assertTrue(replicaAsMaster.err().contains("is a replica of " + addr(0)), replicaAsMaster.toString());
        assertEquals(0, admin("cluster", "create", "x", "--mode", "cache", "--group", "127.0.0.1:" + closed, "--no-check").code());
        assertEquals(0, admin("cluster", "delete", "x").code());

        createShop();
        AdminRun taken = admin("cluster", "create", "other", "--mode", "datastore", "--group", addr(3), "--group", addr(1));
        assertEquals(4, taken.code(), taken.toString());
        assertTrue(taken.err().contains("redis-server " + addr(1) + " is already a member of cluster 'shop' (group g2)"), taken.toString());
        AdminRun takenGroup = admin("group", "add", "shop", addr(3) + "," + addr(1));
        assertEquals(2, takenGroup.code(), takenGroup.toString());
        assertTrue(takenGroup.err().contains(addr(1) + " is listed twice"), takenGroup.toString());
        assertEquals(0, admin("cluster", "create", "other", "--mode", "datastore", "--group", addr(3)).code());
        AdminRun otherGroup = admin("group", "add", "shop", addr(3));
        assertEquals(4, otherGroup.code(), otherGroup.toString());
        assertTrue(otherGroup.err().contains("redis-server " + addr(3) + " is already a member of cluster 'other' (group g1)"),
                otherGroup.toString());
        assertEquals(0, admin("cluster", "delete", "other").code());
        AdminRun again = admin("cluster", "create", "shop", "--mode", "cache", "--group", addr(3));
        assertEquals(4, again.code(), again.toString());
        assertTrue(again.err().contains("cluster shop already exists"), again.toString());
        assertEquals(2, admin("slots", "assign", "shop", "99999", "--to", "g1").code());
        assertEquals(2, admin("cluster").code(), "a container without a subcommand is a usage error");
    }

    @Test
    void statusIsDegradedWhenAServerIsDownOrAProxyLags() throws Exception {
        createShop();
        try (ClusterStore store = store()) {
            store.client().create().withMode(CreateMode.EPHEMERAL).forPath(StorePaths.proxy("shop", "127.0.0.1:7000"),
                    ProxyCodec.encodeProxy(new ProxyRecord("127.0.0.1:7000", HostPort.parse("127.0.0.1:7000"),
                            System.currentTimeMillis(), 1, System.currentTimeMillis(), null, "test")));
            assertEquals(0, admin("status", "shop").code());
            AdminRun refused = admin("cluster", "delete", "shop");
            assertEquals(4, refused.code(), refused.toString());
            assertTrue(refused.err().contains("1 proxy still serve"), refused.toString());

            assertEquals(0, admin("slots", "assign", "shop", "5", "--to", "g2").code());
            AdminRun lagging = admin("status", "shop");
            assertEquals(5, lagging.code(), lagging.toString());
            assertTrue(lagging.out().contains("proxy 127.0.0.1:7000 routes by epoch 1, the cluster is at 2"), lagging.toString());
            JsonNode p = new ObjectMapper().readTree(admin("status", "shop", "--json").out()).get("proxies").get(0);
            assertEquals(1, p.get("lag").asLong());
        }
        try (RedisServer extra = RedisServer.start()) {
            assertEquals(0, admin("group", "add", "shop", extra.address()).code());
            extra.stop();
            AdminRun down = admin("status", "shop", "--redis-timeout-ms", "500");
            assertEquals(5, down.code(), down.toString());
            assertTrue(down.out().contains("master " + extra.address() + " of group g3 is down: connection refused"), down.toString());
            assertEquals(0, admin("status", "shop", "--no-redis").code(), "without the servers there is nothing to complain about");
        }
    }

    /** Admins racing on the same cluster, each in its own session: every change lands. */
    @Test
    void concurrentAdminsNeverLoseAnUpdate() throws Exception {
        createShop();
        int admins = 4;
        int each = 5;
        ExecutorService pool = Executors.newFixedThreadPool(admins);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Integer>>> done = new ArrayList<>();
        for (int a = 0; a < admins; a++) {
            int admin = a;
            done.add(pool.submit(() -> {
                go.await();
                List<Integer> codes = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    int slot = 10_000 + admin * 100 + i; // g2's slots, given to g1 one by one
                    codes.add(admin("slots", "assign", "shop", Integer.toString(slot), "--to", "g1").code());
                }
                return codes;
            }));
        }
        go.countDown();
        for (Future<List<Integer>> f : done) {
            assertEquals(List.of(0, 0, 0, 0, 0), f.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        try (ClusterStore store = store()) {
            Topology t = store.read("shop").value();
            assertEquals(1 + admins * each, t.epoch());
            assertEquals(8192 + admins * each, t.slotCount("g1"));
        }
        assertFalse(admin("slots", "show", "shop").out().isEmpty());
    }
}
