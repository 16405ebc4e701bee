package io.kvstore.proxy.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.RespSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * WATCH, MULTI and EXEC on a group marked down in ZooKeeper answer -CLUSTERDOWN (or -EXECABORT
 * after a queue-time -CLUSTERDOWN) as Redis Cluster does, and never reach the group's master: the
 * redis-servers stay up, so each test counts the transaction commands they saw. Every test runs
 * the same transaction on the group that is up as its positive control.
 */
class TransactionOnDownGroupTest {

    private ZkFixture f;
    private ZkFixture.Proxy proxy;
    private String up;
    private String down;

    @BeforeEach
    void start() throws Exception {
        f = ZkFixture.start(2);
        Topology t = f.createCluster("shop", 2);
        proxy = f.startProxy("shop");
        up = tagOn(t, 0);
        down = tagOn(t, 1);
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void watchOfAKeyOnADownGroupIsClusterDown() {
        markG2(GroupState.DOWN);
        try (RespSocket c = RespSocket.connect(proxy.port())) {
            assertClusterDown(c.call("WATCH", down + "w"));
            assertEquals("OK", c.call("WATCH", up + "w"), "control: a key on the group that is up is watched");
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", up + "a", "1"));
            assertEquals(List.of("OK"), c.call("EXEC"));
        }
        assertEquals(0, calls(1, "watch"), "the down group's master was not asked");
        assertEquals(1, calls(0, "exec"));
    }

    @Test
    void aCommandQueuedForADownGroupAbortsTheTransaction() {
        markG2(GroupState.DOWN);
        try (RespSocket c = RespSocket.connect(proxy.port())) {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", up + "a", "lost"));
            assertClusterDown(c.call("SET", down + "a", "x"));
            Object exec = c.call("EXEC");
            assertTrue(exec instanceof RespSocket.Error e && e.message().startsWith("EXECABORT"), String.valueOf(exec));

            assertEquals("OK", c.call("MULTI"), "control: the same transaction without the down group's key runs");
            assertEquals("QUEUED", c.call("SET", up + "b", "kept"));
            assertEquals(List.of("OK"), c.call("EXEC"));
        }
        try (Jedis g1 = f.redis.get(0).client()) {
            assertNull(g1.get(up + "a"), "nothing of the aborted transaction ran");
            assertEquals("kept", g1.get(up + "b"));
        }
        assertEquals(0, calls(1, "multi"));
    }

    @Test
    void aGroupGoingDownBetweenMultiAndExecFailsTheExecWithoutSendingIt() {
        try (RespSocket c = RespSocket.connect(proxy.port()); RespSocket control = RespSocket.connect(proxy.port())) {
            assertEquals("OK", c.call("WATCH", down + "w"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", down + "a", "x"));
            assertEquals("OK", control.call("MULTI"));
            assertEquals("QUEUED", control.call("SET", up + "a", "y"));

            markG2(GroupState.DOWN);
            assertClusterDown(c.call("EXEC"));
            assertEquals(List.of("OK"), control.call("EXEC"), "control: a transaction on the group that is up runs");

            try (Jedis g2 = f.redis.get(1).client()) {
                assertNull(g2.get(down + "a"));
                assertEquals(0, calls(1, "exec"), "the EXEC was not sent to the down group's master");
                g2.set(down + "w", "changed meanwhile"); // would fail the next EXEC were the key still watched
            }
            markG2(GroupState.ACTIVE);
            assertEquals("OK", c.call("MULTI"), "back up: the refused EXEC left nothing watched behind");
            assertEquals("QUEUED", c.call("SET", down + "a", "z"));
            assertEquals(List.of("OK"), c.call("EXEC"));
        }
        assertEquals("z", f.redis.get(1).client().get(down + "a"));
    }

    @Test
    void unwatchOfKeysOnAGroupNowDownIsAnsweredHere() {
        try (RespSocket c = RespSocket.connect(proxy.port())) {
            assertEquals("OK", c.call("WATCH", down + "w"));
            f.redis.get(1).kill(); // its master died: the connection holding the watch is gone
            markG2(GroupState.DOWN);
            assertEquals("OK", c.call("UNWATCH"), "answered as Redis does, not with the lost connection's error");
            assertEquals("OK", c.call("WATCH", up + "w"), "the transaction is free to bind to the group that is up");
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("INCR", up + "n"));
            assertEquals(List.of(1L), c.call("EXEC"));
        }
    }

    /** Sets g2's state in ZooKeeper and waits until the proxy routes by that epoch. */
    private void markG2(GroupState state) {
        long epoch = f.admin.update("shop", t -> t.withGroupState("g2", state)).value().epoch();
        f.awaitApplied(proxy, "shop", epoch);
    }

    /** How many times redis-server {@code i} ran {@code command}. */
    private long calls(int i, String command) {
        try (Jedis j = f.redis.get(i).client()) {
            String line = j.info("commandstats").lines().filter(l -> l.startsWith("cmdstat_" + command + ":"))
                    .findFirst().orElse("cmdstat_" + command + ":calls=0,");
            return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
        }
    }

    private String tagOn(Topology t, int server) {
        for (int i = 0; i < 1_000; i++) {
            String tag = "{t" + i + "}";
            if (f.ownerOf(t, tag) == server) {
                return tag;
            }
        }
        throw new AssertionError("no tag on server " + server);
    }

    private static void assertClusterDown(Object reply) {
        assertTrue(reply instanceof RespSocket.Error e && e.message().startsWith("CLUSTERDOWN group g2"),
                String.valueOf(reply));
    }
}
