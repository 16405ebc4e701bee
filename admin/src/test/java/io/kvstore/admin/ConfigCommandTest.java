package io.kvstore.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.testing.RedisServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kvstore-admin config set|get|unset}: recorded in ZooKeeper, applied to every master and
 * replica, and {@code status} showing a server whose value drifted. Real redis-servers and an
 * in-process ZooKeeper.
 */
class ConfigCommandTest {

    private static final List<RedisServer> REDIS = new ArrayList<>();
    private TestingServer zk;

    @BeforeAll
    static void servers() throws Exception {
        for (int i = 0; i < 3; i++) {
            REDIS.add(RedisServer.start());
        }
        REDIS.get(2).replicate(REDIS.get(0));
    }

    @AfterAll
    static void stopServers() {
        REDIS.forEach(RedisServer::close);
    }

    @BeforeEach
    void startZk() throws Exception {
        zk = new TestingServer();
        for (RedisServer r : REDIS) {
            r.call("CONFIG", "SET", "notify-keyspace-events", "");
            r.call("CONFIG", "SET", "slowlog-max-len", "128");
        }
        AdminRun create = admin("cluster", "create", "shop", "--mode", "cache",
                "--group", REDIS.get(0).address() + "," + REDIS.get(2).address(), "--group", REDIS.get(1).address());
        assertEquals(0, create.code(), create.toString());
    }

    @AfterEach
    void stopZk() throws Exception {
        zk.close();
    }

    private AdminRun admin(String... args) {
        return AdminRun.of(zk.getConnectString(), args);
    }

    private static String valueOn(int server, String param) throws IOException {
        return ((List<?>) REDIS.get(server).call("CONFIG", "GET", param)).get(1).toString();
    }

    @Test
    void setAppliesToEveryMasterAndReplicaAndIsRecorded() throws IOException {
        AdminRun set = admin("config", "set", "shop", "notify-keyspace-events", "KEA");
        assertEquals(0, set.code(), set.toString());
        for (int i = 0; i < REDIS.size(); i++) {
            assertEquals("AKE", valueOn(i, "notify-keyspace-events"), "server " + i);
        }
        assertEquals(0, admin("config", "set", "shop", "slowlog-max-len", "500").code());
        AdminRun all = admin("config", "get", "shop");
        assertEquals(0, all.code(), all.toString());
        assertEquals("notify-keyspace-events AKE\nslowlog-max-len 500\n", all.out());
        assertEquals("slowlog-max-len 500\n", admin("config", "get", "shop", "slowlog-max-len").out());

        AdminRun unset = admin("config", "unset", "shop", "slowlog-max-len");
        assertEquals(0, unset.code(), unset.toString());
        assertEquals("notify-keyspace-events AKE\n", admin("config", "get", "shop").out());
        assertEquals("500", valueOn(1, "slowlog-max-len"), "unset forgets; servers keep their value");
    }

    @Test
    void refusalsRecordNothing() {
        AdminRun notAllowed = admin("config", "set", "shop", "dir", "/tmp");
        assertEquals(2, notAllowed.code(), notAllowed.toString());
        assertTrue(notAllowed.err().contains("notify-keyspace-events"), "names what is allowed: " + notAllowed.err());
        AdminRun badValue = admin("config", "set", "shop", "maxmemory-policy", "sometimes");
        assertEquals(2, badValue.code(), badValue.toString());
        assertEquals("", admin("config", "get", "shop").out());
        assertEquals(3, admin("config", "set", "nosuch", "slowlog-max-len", "1").code());
        assertEquals(3, admin("config", "get", "nosuch").code());
    }

    @Test
    void statusShowsAServerThatDrifted() throws IOException {
        assertEquals(0, admin("config", "set", "shop", "slowlog-max-len", "700").code());
        AdminRun clean = admin("status", "shop");
        assertFalse(clean.out().contains("drift"), clean.toString());
        REDIS.get(1).call("CONFIG", "SET", "slowlog-max-len", "10");
        AdminRun drifted = admin("status", "shop");
        assertEquals(5, drifted.code(), drifted.toString());
        assertTrue(drifted.out().contains("config drift: " + REDIS.get(1).address() + " slowlog-max-len 10 (recorded 700)"),
                drifted.toString());
    }
}
