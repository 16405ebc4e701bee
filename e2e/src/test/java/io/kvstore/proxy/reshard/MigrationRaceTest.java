package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ProxyControl;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * The two moments of a migration step where a proxy's requests race with the step, made
 * deterministic by pausing the source redis-server's writes ({@code CLIENT PAUSE ... WRITE}: the
 * request waits on the server, as it would behind a long backlog) while the step goes on:
 * <ul>
 *   <li>the mark: a request routed by the map before the slot was migrating is still on its way
 *       to the source when the proxy reports the new epoch and the driver moves the slot's keys;</li>
 *   <li>the flip: a request waiting for its key to be moved (MIGRATE on the source) and the next
 *       request of the same client, routed straight to the target by the flipped map.</li>
 * </ul>
 * Also: a blocking pop waiting on the source while its slot moves away, and a proxy that starts
 * while a step runs.
 */
class MigrationRaceTest {

    /** Commands of one connection run in the order sent, also when the slot flips between them. */
    @Test
    void aPipelineRunsInOrderAcrossAFlip() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2)) {
            String k = cluster.keysOn(0, "race:flip:", 1).get(0);
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            SlotMap base = cluster.map();
            short[] to = SlotMap.noMigrations();
            to[slot] = 1;
            install(cluster, SlotMap.of(base.epoch() + 1, base.groups(), base.ownerArray(), to));
            short[] flipped = base.ownerArray();
            flipped[slot] = 1;
            Object first;
            Object second;
            try (Jedis source = cluster.shard(0).client(); Jedis target = cluster.shard(1).client();
                 RespSocket client = RespSocket.connect(cluster.port(), 30_000)) {
                source.clientPause(20_000, ClientPauseMode.WRITE);
                try {
                    client.send(RespSocket.encode("INCR", k)); // the proxy sends MIGRATE to the source: it waits there
                    await("the MIGRATE to wait on the source", () -> blockedClients(source) >= 1);
                    install(cluster, SlotMap.of(base.epoch() + 2, base.groups(), flipped));
                    client.send(RespSocket.encode("INCR", k));
                    settle(() -> target.exists(k)); // without a fix, the second INCR runs at once on the target
                } finally {
                    source.clientUnpause();
                }
                first = client.read();
                second = client.read();
                assertEquals("2", target.get(k));
                assertFalse(source.exists(k));
            }
            assertEquals(List.of(1L, 2L), List.of(first, second), "the replies of INCR, INCR in the order sent");
        }
    }

    /**
     * A write routed to the source by the map before the mark, still on its way when the driver
     * moves the slot's keys, must not end on the source after the flip (lost to every reader).
     */
    @Test
    void aWriteStillOnItsWayToTheSourceIsNotLeftBehind() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            RaceCluster.create(f);
            ZkFixture.Proxy proxy = f.startProxy("race");
            RaceCluster.addTarget(f);
            String k = "race:mark:1";
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            RedisServer source = f.redis.get(0);
            Object paused;
            AtomicReference<AdminCli.Result> driver = new AtomicReference<>();
            try (Jedis direct = source.client(); RespSocket client = RespSocket.connect(proxy.port(), 30_000)) {
                direct.clientPause(20_000, ClientPauseMode.WRITE);
                try {
                    client.send(RespSocket.encode("INCR", k)); // routed to g1, waits there
                    await("the INCR to wait on the source", () -> blockedClients(direct) >= 1);
                    Thread t = new Thread(() -> driver.set(RaceCluster.migrateToTarget(f, slot)));
                    t.setDaemon(true);
                    t.start();
                    // Either the driver is done (it did not wait for the INCR), or the proxy routes by the
                    // migrating epoch but has not reported it yet (it waits for what it sent before).
                    int[] heldBack = {0};
                    await("the driver to finish, or to wait for the proxy", () -> driver.get() != null
                            || (proxyHoldsBackItsReport(f, proxy, "race") ? ++heldBack[0] : (heldBack[0] = 0)) >= 20);
                } finally {
                    direct.clientUnpause();
                }
                paused = client.read();
                awaitDriver("the migration to end", driver);
                assertEquals(0, driver.get().exit(), driver.get().toString());
                Object next = client.call("INCR", k);
                assertEquals(List.of(1L, 2L), List.of(paused, next), "two INCRs of a new key");
                assertEquals("2", client.call("GET", k));
            }
            assertEquals(0, source.dbSize(), "nothing left on the old owner");
        }
    }

    /** A BLPOP waiting on the source when its slot moves is woken by a push made after the move. */
    @Test
    void aBlockedPopIsWokenByAPushAfterTheMove() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            RaceCluster.create(f);
            ZkFixture.Proxy proxy = f.startProxy("race");
            RaceCluster.addTarget(f);
            String k = "race:pop:1";
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            try (Jedis direct = f.redis.get(0).client(); RespSocket popper = RespSocket.connect(proxy.port(), 30_000);
                 RespSocket pusher = RespSocket.connect(proxy.port(), 30_000)) {
                popper.send(RespSocket.encode("BLPOP", k, "5"));
                await("the BLPOP to wait on the source", () -> blockedClients(direct) >= 1);
                AdminCli.Result moved = RaceCluster.migrateToTarget(f, slot);
                assertEquals(0, moved.exit(), moved.toString());
                assertEquals(1L, pusher.call("RPUSH", k, "x"));
                assertEquals(List.of(k, "x"), popper.read(), "the pop gets the element pushed after the move");
            }
        }
    }

    /**
     * The other blocking forms follow their keys too: XREAD BLOCK (timeout after BLOCK, in ms) and
     * BLMPOP (timeout first), each woken by a write made through another client after the move.
     */
    @Test
    void blockedStreamReadsAndMultiPopsFollowTheirKeys() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            RaceCluster.create(f);
            ZkFixture.Proxy proxy = f.startProxy("race");
            RaceCluster.addTarget(f);
            String stream = "race:{blk}:stream";
            String list = "race:{blk}:list";
            int slot = SlotHash.slot(stream.getBytes(StandardCharsets.UTF_8));
            try (Jedis direct = f.redis.get(0).client(); RespSocket reader = RespSocket.connect(proxy.port(), 30_000);
                 RespSocket popper = RespSocket.connect(proxy.port(), 30_000);
                 RespSocket writer = RespSocket.connect(proxy.port(), 30_000)) {
                reader.send(RespSocket.encode("XREAD", "BLOCK", "20000", "STREAMS", stream, "0-0"));
                popper.send(RespSocket.encode("BLMPOP", "20", "1", list, "LEFT"));
                await("both to wait on the source", () -> blockedClients(direct) >= 2);
                AdminCli.Result moved = RaceCluster.migrateToTarget(f, slot);
                assertEquals(0, moved.exit(), moved.toString());
                Object id = writer.call("XADD", stream, "1-1", "f", "v");
                assertEquals("1-1", id);
                assertEquals(1L, writer.call("RPUSH", list, "x"));
                assertEquals(List.of(List.of(stream, List.of(List.of("1-1", List.of("f", "v"))))), reader.read());
                assertEquals(List.of(list, List.of("x")), popper.read());
            }
            assertEquals(0, f.redis.get(0).dbSize(), "nothing left on the old owner");
        }
    }

    /**
     * A driver that dies between the frozen mark and the thaw must not leave the slots refusing
     * clients until someone resumes: the proxies thaw the step themselves once every one of them
     * has the mark, and the held command then runs on the target.
     */
    @Test
    void proxiesThawAStepWhoseDriverDied() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            RaceCluster.create(f);
            ZkFixture.Proxy a = f.startProxy("race");
            ZkFixture.Proxy b = f.startProxy("race");
            RaceCluster.addTarget(f);
            String k = "race:thaw:1";
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            try (Jedis viaA = ProxyCluster.client(a.port())) {
                assertEquals("OK", viaA.set(k, "before"));
            }
            // What a driver writes first, and then nothing more: it died.
            Topology marked = f.admin.update("race", t -> t.withMigrations(List.of(new SlotRange(slot, slot, "g2")))).value();
            assertEquals(1, marked.frozen().size());
            f.awaitApplied(a, "race", marked.epoch());
            f.awaitApplied(b, "race", marked.epoch());
            try (Jedis viaB = ProxyCluster.client(b.port())) {
                assertEquals("before", viaB.getSet(k, "after"), "held while frozen, then run once thawed");
            }
            Topology now = f.admin.read("race").value();
            assertEquals(List.of(), now.frozen(), "thawed in ZooKeeper");
            assertEquals(List.of(new SlotRange(slot, slot, "g2")), now.migrating(), "still migrating: a driver finishes it");
            try (Jedis target = f.redis.get(1).client()) {
                assertEquals("after", target.get(k), "the key moved to the target before the write");
            }
            assertEquals(0, f.redis.get(0).dbSize(), "and left the source");
        }
    }

    /**
     * A proxy that starts while a step runs, as ProxyMain starts one: it reads the topology, opens
     * its port, and registers. A client that writes through it before its first update must not
     * leave the key on the old owner.
     */
    @Test
    void aProxyStartingDuringAStepDoesNotWriteToTheOldOwner() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            RaceCluster.create(f);
            ZkFixture.Proxy running = f.startProxy("race");
            RaceCluster.addTarget(f);
            String k = "race:start:1";
            int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
            ProxyControl control = ProxyControl.start(f.settings(), "race", BackendAuth.NONE);
            ProxyServer server = null;
            AtomicReference<AdminCli.Result> driver = new AtomicReference<>();
            try {
                SlotMap initial = control.awaitInitialMap();
                Thread t = new Thread(() -> driver.set(RaceCluster.migrateToTarget(f, slot)));
                t.setDaemon(true);
                t.start();
                // Either the step is over (it did not wait for the starting proxy), or it waits for it.
                int[] waiting = {0};
                await("the step to finish, or to wait for the starting proxy", () -> driver.get() != null
                        || (!f.admin.read("race").value().migrating().isEmpty() ? ++waiting[0] : (waiting[0] = 0)) >= 20);
                server = ProxyCluster.startProxy(initial, UnaryOperator.identity());
                server.context().cluster().fence("starting: not registered yet"); // as ProxyMain does
                try (Jedis j = ProxyCluster.client(server.port())) { // a client as quick as the port
                    redis.clients.jedis.exceptions.JedisDataException refused = org.junit.jupiter.api.Assertions.assertThrows(
                            redis.clients.jedis.exceptions.JedisDataException.class, () -> j.set(k, "v"));
                    assertEquals(true, refused.getMessage().startsWith("TRYAGAIN"), refused.getMessage());
                    control.attach(server.context().cluster(), new HostPort("127.0.0.1", server.port()), "test",
                            server::mapChanged);
                    String ok = Await.value("the starting proxy to serve once registered", Duration.ofSeconds(30), () -> {
                        try {
                            return j.set(k, "v");
                        } catch (redis.clients.jedis.exceptions.JedisDataException retry) {
                            return null; // TRYAGAIN until the registration is done
                        }
                    });
                    assertEquals("OK", ok, "served once registered");
                }
                awaitDriver("the step to end", driver);
                assertEquals(0, driver.get().exit(), driver.get().toString());
            } finally {
                control.close();
                if (server != null) {
                    server.close();
                }
            }
            try (Jedis j = ProxyCluster.client(running.port())) {
                assertEquals("v", j.get(k), "the write through the starting proxy is visible");
            }
            assertEquals(0, f.redis.get(0).dbSize(), "nothing left on the old owner");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /**
     * The proxy routes by the topology's (migrating) epoch, but its registration still shows an
     * older one (the caller asks for this to hold over 20 polls in a row: a report is only a few
     * milliseconds behind the map otherwise).
     */
    private static boolean proxyHoldsBackItsReport(ZkFixture f, ZkFixture.Proxy p, String cluster) {
        Topology t = f.admin.read(cluster).value();
        if (t.migrating().isEmpty() || p.appliedEpoch() != t.epoch()) {
            return false;
        }
        return f.admin.proxies(cluster).stream().anyMatch(r -> r.id().equals(p.id()) && r.proxy() != null
                && r.proxy().appliedEpoch() < t.epoch());
    }

    private static void install(ProxyCluster cluster, SlotMap map) {
        cluster.proxy().context().cluster().update(map);
    }

    private static long blockedClients(Jedis j) {
        for (String line : j.info("clients").split("\r?\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(line.substring("blocked_clients:".length()).trim());
            }
        }
        return 0;
    }

    private static void await(String what, BooleanSupplier condition) {
        ZkFixture.await(what, condition);
    }

    /** Waits (60 s at most) for the admin driver to end; the caller checks its exit. */
    private static void awaitDriver(String what, AtomicReference<?> driver) {
        Await.until(what, Duration.ofSeconds(60), () -> driver.get() != null);
    }

    /**
     * Gives {@code condition} a bounded chance to become true; goes on either way. Not
     * {@link Await}: with the fix {@code condition} (the race) never holds, so this is time for
     * the fault to act before the checks that follow, not a wait to fail on.
     */
    private static void settle(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 40 && !condition.getAsBoolean(); i++) {
            Thread.sleep(25);
        }
    }
}
