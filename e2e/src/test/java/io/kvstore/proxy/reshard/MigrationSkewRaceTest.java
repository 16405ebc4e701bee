package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Races between proxies that do not see an epoch at the same moment (each follows ZooKeeper on
 * its own), made deterministic by giving the new map to one proxy only, or by stopping a proxy
 * the way ProxyMain's shutdown hook does. See also {@link MigrationRaceTest} (one proxy and its
 * in-flight requests) and the cross-proxy variant of {@link ReshardCheckerTest}.
 */
class MigrationSkewRaceTest {

    /**
     * Two proxies apply a mark at different moments (each follows ZooKeeper on its own). While
     * proxy B still routes by the map before the mark, proxy A must not move a key B may still
     * touch on the old owner: B's reads must not miss it and B's writes must not start it anew.
     * The mark freezes the slot first: A holds the command until the slot thaws (once every proxy
     * has the mark), then moves the key and runs it on the target.
     */
    @Test
    void aProxyBehindByOneEpochNeitherMissesNorForksAKey() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2)) {
            ProxyServer behind = cluster.startProxy(UnaryOperator.identity());
            String k = cluster.keysOn(0, "race:skew:", 1).get(0);
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            try (Jedis viaA = cluster.client()) {
                assertEquals(5L, viaA.incrBy(k, 5));
            }
            SlotMap base = cluster.map();
            short[] to = SlotMap.noMigrations();
            to[slot] = 1;
            boolean[] frozen = new boolean[SlotHash.SLOTS];
            frozen[slot] = true;
            install(cluster.proxy(), SlotMap.of(base.epoch() + 1, base.groups(), base.ownerArray(), to, null, frozen)); // A only
            try (RespSocket viaA = RespSocket.connect(cluster.port(), 30_000);
                 RespSocket viaB = RespSocket.connect(behind.port(), 30_000)) {
                viaA.command("GET", k); // held by A: the slot is frozen
                assertEquals("5", viaB.call("GET", k), "a proxy one epoch behind reads the key");
                assertEquals(6L, viaB.call("INCR", k), "a proxy one epoch behind increments the key, not a new one");
                try (Jedis source = cluster.shard(0).client()) {
                    assertTrue(source.exists(k), "nothing moved while B may touch the key");
                }
                SlotMap moving = SlotMap.of(base.epoch() + 2, base.groups(), base.ownerArray(), to);
                install(behind, moving);
                install(cluster.proxy(), moving);
                assertEquals("6", viaA.read(), "A's held GET runs once the slot thaws, on the moved key");
                assertEquals(7L, viaB.call("INCR", k));
            }
            long copies = cluster.shards().stream().filter(r -> {
                try (Jedis j = r.client()) {
                    return j.exists(k);
                }
            }).count();
            assertEquals(1, copies, "the key is on one server");
            try (Jedis target = cluster.shard(1).client()) {
                assertEquals("7", target.get(k), "and it is the target");
            }
        }
    }

    /** A command held on a frozen slot that never thaws fails with -TRYAGAIN after the hold limit; later commands run. */
    @Test
    void aSlotThatStaysFrozenAnswersTryAgainAfterTheHoldLimit() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2)) {
            ProxyServer short_ = cluster.startProxy(o -> o.withClientLimits(new io.kvstore.proxy.session.ClientLimits(
                    o.clientLimits().framer(), o.clientLimits().maxPending(), o.clientLimits().maxClients(),
                    o.clientLimits().maxOutputBuffer(), 300)));
            String k = cluster.keysOn(0, "race:frozen:", 1).get(0);
            String other = cluster.keysOn(1, "race:free:", 1).get(0);
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            SlotMap base = cluster.map();
            short[] to = SlotMap.noMigrations();
            to[slot] = 1;
            boolean[] frozen = new boolean[SlotHash.SLOTS];
            frozen[slot] = true;
            install(short_, SlotMap.of(base.epoch() + 1, base.groups(), base.ownerArray(), to, null, frozen));
            try (RespSocket c = RespSocket.connect(short_.port(), 30_000)) {
                c.command("SET", k, "v");
                c.command("SET", other, "w");
                Object first = c.read();
                assertTrue(first instanceof RespSocket.Error e && e.message().startsWith("TRYAGAIN"), String.valueOf(first));
                assertEquals("OK", c.read(), "the command behind it runs");
                assertEquals("w", c.call("GET", other));
                String info = String.valueOf(c.call("INFO", "proxy"));
                assertTrue(info.contains("migration_holds:1\r\n") && info.contains("migration_hold_timeouts:1\r\n"), info);
                java.util.List<?> latest = (java.util.List<?>) c.call("LATENCY", "LATEST"); // a 300 ms hold: over the 100 ms default
                assertEquals("migration-hold", ((java.util.List<?>) latest.get(0)).get(0), latest.toString());
                assertTrue((Long) ((java.util.List<?>) latest.get(0)).get(3) >= 300, latest.toString());
            }
            try (Jedis owner = cluster.shard(0).client()) {
                assertEquals(0L, owner.exists(k) ? 1L : 0L, "the refused write did not happen");
            }
        }
    }

    /**
     * A proxy that is stopping, as ProxyMain's shutdown hook stops it: it leaves ZooKeeper (the
     * driver stops waiting for it), then closes its server. A client it still serves meanwhile
     * must not write on the old owner of a slot that moved.
     */
    @Test
    void aStoppingProxyServesNothingOnceItLeftZooKeeper() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            RaceCluster.create(f);
            ZkFixture.Proxy stopping = f.startProxy("race");
            ZkFixture.Proxy other = f.startProxy("race");
            RaceCluster.addTarget(f);
            String k = "race:stop:1";
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            try (Jedis client = ProxyCluster.client(stopping.port())) {
                client.ping();
                f.proxies.remove(stopping);
                stopping.control().close(); // the shutdown hook's first step
                AdminCli.Result moved = RaceCluster.migrateToTarget(f, slot);
                assertEquals(0, moved.exit(), moved.toString());
                JedisDataException refused = assertThrows(JedisDataException.class, () -> client.set(k, "v"));
                assertTrue(refused.getMessage().startsWith("TRYAGAIN this proxy is stopping"), refused.getMessage());
                assertEquals("PONG", client.ping(), "refused by the fence, the connection still served");
            } finally {
                stopping.server().close();
            }
            try (Jedis j = ProxyCluster.client(other.port())) {
                assertNull(j.get(k));
                assertEquals("OK", j.set(k, "v"), "control: the slot is served, by its new owner");
            }
            assertEquals(1, f.redis.get(1).dbSize(), "the write is on the new owner");
            assertEquals(0, f.redis.get(0).dbSize(), "nothing written on the old owner");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** What ProxyControl does with a new map from ZooKeeper, for one proxy. */
    private static void install(ProxyServer proxy, SlotMap map) {
        proxy.context().cluster().update(map);
        proxy.mapChanged(map);
    }
}
