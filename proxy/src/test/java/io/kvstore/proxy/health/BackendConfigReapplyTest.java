package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.BackendConfigStore;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.ZkSettings;
import java.util.List;
import java.util.Set;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * What the failover controller calls to keep the recorded cluster-wide parameters on every
 * server: before a server is promoted or rejoins, and on each round for a server seen up again
 * (a restarted server lost its CONFIG SET) or new. Real redis-servers and ZooKeeper.
 */
class BackendConfigReapplyTest {

    private TestingServer zk;
    private ClusterStore store;
    private RedisNode a;
    private RedisNode b;
    private Topology topology;
    private BackendConfigReapply reapply;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer();
        store = ClusterStore.connect(new ZkSettings(zk.getConnectString(), 10_000, 5_000, 2, null));
        a = RedisNode.start(false);
        b = RedisNode.start(false);
        topology = store.create(Topology.create("shop", ClusterMode.CACHE,
                List.of(new Group("g1", a.address(), List.of(b.address()), null)))).value();
        new BackendConfigStore(store.client(), "shop").update(c -> c.with("slowlog-max-len", "321"));
        reapply = new BackendConfigReapply(store.client(), "shop", new BackendAuth(null, null, 0));
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        store.close();
        zk.close();
    }

    private static String value(RedisNode n) {
        try (Jedis j = n.client()) {
            return j.configGet("slowlog-max-len").get("slowlog-max-len");
        }
    }

    private static void reset(RedisNode n) {
        try (Jedis j = n.client()) {
            j.configSet("slowlog-max-len", "128"); // as a restarted server has it
        }
    }

    @Test
    void beforeAppliesAtOnce() throws Exception {
        reapply.before(b.address());
        assertEquals("321", value(b));
        assertEquals("128", value(a));
    }

    @Test
    void eachRoundAppliesToServersNotYetGivenTheRecordedValues() {
        reapply.sweep(topology, s -> true);
        assertEquals("321", value(a));
        assertEquals("321", value(b));

        reset(b);
        reapply.sweep(topology, s -> true);
        assertEquals("128", value(b), "given once per recorded value while it stays up: no CONFIG SET every round");

        Set<HostPort> down = Set.of(b.address());
        reapply.sweep(topology, s -> !down.contains(s));
        reapply.sweep(topology, s -> true);
        assertEquals("321", value(b), "seen down, then up: it may have restarted, so it gets them again");

        new BackendConfigStore(store.client(), "shop").update(c -> c.with("slowlog-max-len", "999"));
        reapply.sweep(topology, s -> true);
        assertEquals("999", value(a), "a new recorded value reaches every server");
        assertEquals("999", value(b));
    }
}
