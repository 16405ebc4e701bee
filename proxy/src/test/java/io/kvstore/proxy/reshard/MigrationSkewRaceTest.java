package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.AdminMain;
import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;

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
     */
    @Test
    @Disabled("bug: a proxy moves a key (MigrationGate) as soon as it applied the mark, before every other proxy has; "
            + "a proxy still at the previous epoch then reads nil and writes a new key on the old owner; see the "
            + "report of issue #5")
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
            install(cluster, SlotMap.of(base.epoch() + 1, base.groups(), base.ownerArray(), to)); // proxy A only
            Object readByA;
            try (RespSocket viaA = RespSocket.connect(cluster.port(), 30_000)) {
                readByA = viaA.call("GET", k); // A's gate may move the key now, or hold until every proxy has the mark
            }
            Object readByB;
            Object incrByB;
            try (RespSocket viaB = RespSocket.connect(behind.port(), 30_000)) {
                readByB = viaB.call("GET", k);
                incrByB = viaB.call("INCR", k);
            }
            assertEquals("5", readByB, "a proxy one epoch behind reads the key (A read " + readByA + ")");
            assertEquals(6L, incrByB, "a proxy one epoch behind increments the key, not a new one");
            long copies = cluster.shards().stream().filter(r -> {
                try (Jedis j = r.client()) {
                    return j.exists(k);
                }
            }).count();
            assertEquals(1, copies, "the key is on one server");
        }
    }

    /**
     * A proxy that is stopping, as ProxyMain's shutdown hook stops it: it leaves ZooKeeper (the
     * driver stops waiting for it), then closes its server. A client it still serves meanwhile
     * must not write on the old owner of a slot that moved.
     */
    @Test
    @Disabled("bug: a stopping proxy deregisters before it stops serving (ProxyMain's shutdown hook: control.close() "
            + "then server.close()); a step runs without it and its clients' writes land on the old owner; see the "
            + "report of issue #5")
    void aStoppingProxyServesNothingOnceItLeftZooKeeper() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            f.admin.create(Topology.create("race", ClusterMode.DATASTORE, List.of(Group.of("g1", f.address(0)))));
            ZkFixture.Proxy stopping = f.startProxy("race");
            ZkFixture.Proxy other = f.startProxy("race");
            assertEquals(0, admin(f, "group", "add", "race", f.redis.get(1).address(), "--id", "g2").exit);
            String k = "race:stop:1";
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            try (Jedis client = ProxyCluster.client(stopping.port())) {
                client.ping();
                f.proxies.remove(stopping);
                stopping.control().close(); // the shutdown hook's first step
                Result moved = admin(f, "migrate", "race", "--slot", Integer.toString(slot), "--to", "g2", "--rate", "0", "--quiet");
                assertEquals(0, moved.exit, moved.toString());
                try {
                    client.set(k, "v");
                } catch (RuntimeException refused) {
                    // refusing is fine: the write did not happen
                }
            } finally {
                stopping.server().close();
            }
            try (Jedis j = ProxyCluster.client(other.port())) {
                String seen = j.get(k);
                assertTrue(seen == null || seen.equals("v"));
                assertEquals(seen == null ? 0 : 1, f.redis.get(1).dbSize(), "an acknowledged write is on the owner");
            }
            assertEquals(0, f.redis.get(0).dbSize(), "nothing written on the old owner");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n" + out + err;
        }
    }

    private static Result admin(ZkFixture f, String... args) {
        List<String> all = new ArrayList<>(List.of("--zk", f.zk.getConnectString()));
        all.addAll(List.of(args));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new AdminMain());
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private static void install(ProxyCluster cluster, SlotMap map) {
        cluster.proxy().context().cluster().update(map);
    }
}
