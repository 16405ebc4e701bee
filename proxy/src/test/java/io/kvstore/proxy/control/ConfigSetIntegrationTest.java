package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.BackendConfigStore;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * CONFIG SET and CONFIG RESETSTAT through a ZooKeeper-mode proxy: two groups of a master and a
 * replica (four real redis-servers), one proxy started with {@code --allow-config-set}, one
 * without. A set goes the way {@code kvstore-admin config set} goes: recorded in
 * {@code backend-config} (what {@code config get} reads) and given to every master and replica.
 */
class ConfigSetIntegrationTest {

    private static final String CLUSTER = "cfg";

    private static ZkFixture f;
    private static ZkFixture.Proxy allowed;
    private static ZkFixture.Proxy plain;

    @BeforeAll
    static void start() throws Exception {
        f = ZkFixture.start(4);
        f.admin.create(Topology.create(CLUSTER, ClusterMode.CACHE, List.of(
                new Group("g1", f.address(0), List.of(f.address(2)), BackendAuth.NONE),
                new Group("g2", f.address(1), List.of(f.address(3)), BackendAuth.NONE))));
        allowed = f.startProxy(CLUSTER, f.settings(), o -> o.withAllowConfigSet(true));
        plain = f.startProxy(CLUSTER);
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static Object config(ZkFixture.Proxy p, String... args) {
        try (Jedis j = ProxyCluster.client(p.port())) {
            return decode(j.sendCommand(Protocol.Command.CONFIG, args));
        }
    }

    private static Object decode(Object reply) {
        return reply instanceof byte[] b ? SafeEncoder.encode(b) : reply;
    }

    private static String get(RedisServer r, String param) {
        try (Jedis j = r.client()) {
            return j.configGet(param).get(param);
        }
    }

    private static Map<String, String> recorded() {
        return new BackendConfigStore(f.admin.client(), CLUSTER).read().params();
    }

    @Test
    void setLandsOnEveryMasterAndReplicaAndIsRecorded() {
        assertEquals("OK", config(allowed, "SET", "slowlog-max-len", "321", "notify-keyspace-events", "KEA"));
        for (RedisServer r : f.redis) {
            assertEquals("321", get(r, "slowlog-max-len"), r.toString());
            assertEquals("AKE", get(r, "notify-keyspace-events"), r.toString());
        }
        // What kvstore-admin config get prints: the node, with the value as Redis reports it back.
        assertEquals("321", recorded().get("slowlog-max-len"));
        assertEquals("AKE", recorded().get("notify-keyspace-events"));
    }

    @Test
    void withoutTheFlagTheErrorNamesItAndNothingChanges() {
        String before = get(f.redis.get(0), "hash-max-listpack-entries");
        JedisDataException e = assertThrows(JedisDataException.class,
                () -> config(plain, "SET", "hash-max-listpack-entries", "77"));
        assertTrue(e.getMessage().contains("--allow-config-set"), e.getMessage());
        for (RedisServer r : f.redis) {
            assertEquals(before, get(r, "hash-max-listpack-entries"), r.toString());
        }
        assertFalse(recorded().containsKey("hash-max-listpack-entries"));
    }

    @Test
    void aBadValueGetsRedisOwnErrorAndIsNotRecorded() {
        String expected;
        try (Jedis j = f.redis.get(0).client()) {
            expected = assertThrows(JedisDataException.class, () -> j.configSet("maxmemory-policy", "sometimes")).getMessage();
        }
        String before = get(f.redis.get(0), "maxmemory-policy");
        JedisDataException e = assertThrows(JedisDataException.class,
                () -> config(allowed, "SET", "maxmemory-policy", "sometimes"));
        assertEquals(expected, e.getMessage());
        for (RedisServer r : f.redis) {
            assertEquals(before, get(r, "maxmemory-policy"), r.toString());
        }
        assertFalse(recorded().containsKey("maxmemory-policy"));
    }

    @Test
    void aParameterOffTheListIsRefusedNamingTheList() {
        JedisDataException e = assertThrows(JedisDataException.class, () -> config(allowed, "SET", "maxmemory", "1mb"));
        assertTrue(e.getMessage().contains("maxmemory") && e.getMessage().contains("doc/zookeeper-layout.md"), e.getMessage());
        assertEquals("0", get(f.redis.get(0), "maxmemory"));
    }

    /** A replica that is down: the value is recorded and set on the others, and the error names the one left out. */
    @Test
    void aServerDownIsNamedAndTheValueStillRecorded() throws Exception {
        try (RedisServer master = RedisServer.start(); RedisServer gone = RedisServer.start()) {
            String downCluster = "cfgdown";
            f.admin.create(Topology.create(downCluster, ClusterMode.CACHE, List.of(new Group("g1",
                    HostPort.parse(master.address()), List.of(HostPort.parse(gone.address())), BackendAuth.NONE))));
            gone.stop();
            ZkFixture.Proxy p = f.startProxy(downCluster, f.settings(), o -> o.withAllowConfigSet(true));
            JedisDataException e = assertThrows(JedisDataException.class,
                    () -> config(p, "SET", "slowlog-log-slower-than", "2222"));
            assertTrue(e.getMessage().startsWith("ERR set, but these servers did not take it")
                    && e.getMessage().contains(gone.address()), e.getMessage());
            assertEquals("2222", get(master, "slowlog-log-slower-than"));
            assertEquals("2222", new BackendConfigStore(f.admin.client(), downCluster).read().params().get("slowlog-log-slower-than"));
            JedisDataException reset = assertThrows(JedisDataException.class, () -> config(p, "RESETSTAT"));
            assertTrue(reset.getMessage().startsWith("ERR stats not reset on: " + gone.address()), reset.getMessage());
        }
    }

    @Test
    void resetStatZeroesTheStatsOfEveryServer() {
        for (RedisServer r : f.redis) {
            try (Jedis j = r.client()) {
                j.get("missing:" + r.port());
                assertTrue(j.info("stats").contains("keyspace_misses:1"), r.toString());
            }
        }
        assertEquals("OK", config(plain, "RESETSTAT"));
        for (RedisServer r : f.redis) {
            try (Jedis j = r.client()) {
                assertTrue(j.info("stats").contains("keyspace_misses:0"), r.toString());
                assertFalse(j.info("commandstats").contains("cmdstat_get:"), r.toString());
            }
        }
    }
}
