package io.kvstore.proxy.control;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyOptions;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.session.BackendParams;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.apache.curator.test.TestingServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * An in-process ZooKeeper (Curator's TestingServer), real redis-server processes, an admin-side
 * {@link ClusterStore}, and proxies in this JVM that load and follow a cluster through
 * {@link ProxyControl}. One controlling thread; {@link #close()} stops everything, proxies first.
 */
public final class ZkFixture implements AutoCloseable {

    /** A proxy and its ZooKeeper side. */
    public record Proxy(ProxyControl control, ProxyServer server) {
        public int port() {
            return server.port();
        }

        public String id() {
            return "127.0.0.1:" + server.port();
        }

        public long appliedEpoch() {
            return server.context().cluster().map().epoch();
        }
    }

    public final TestingServer zk;
    public final List<RedisServer> redis = new ArrayList<>();
    public final List<Proxy> proxies = new ArrayList<>();
    public ClusterStore admin;

    private ZkFixture(TestingServer zk) {
        this.zk = zk;
    }

    public static ZkFixture start(int redisServers) throws Exception {
        ZkFixture f = new ZkFixture(new TestingServer());
        try {
            for (int i = 0; i < redisServers; i++) {
                f.redis.add(RedisServer.start());
            }
            f.admin = ClusterStore.connect(f.settings());
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    /** Short timeouts so that outages are noticed quickly in tests. */
    public ZkSettings settings() {
        return settings(zk.getConnectString());
    }

    /** The same timeouts, connecting to ZooKeeper at {@code connect} (a relay in front of it, say). */
    public ZkSettings settings(String connect) {
        return new ZkSettings(connect, 6_000, 2_000, 1, null);
    }

    public HostPort address(int redisIndex) {
        return HostPort.parse(redis.get(redisIndex).address());
    }

    /** A cluster whose group {@code g<i+1>} is redis server i, for the first {@code groups} servers. */
    public Topology createCluster(String name, int groups) {
        List<Group> gs = new ArrayList<>();
        for (int i = 0; i < groups; i++) {
            gs.add(Group.of("g" + (i + 1), address(i)));
        }
        return admin.create(Topology.create(name, ClusterMode.CACHE, gs)).value();
    }

    /** Starts a proxy for {@code cluster}, waits for its first map, and attaches it. */
    public Proxy startProxy(String cluster) throws InterruptedException {
        return startProxy(cluster, settings());
    }

    /** The same, the proxy reaching ZooKeeper with {@code zkSettings}. */
    public Proxy startProxy(String cluster, ZkSettings zkSettings) throws InterruptedException {
        return startProxy(cluster, zkSettings, UnaryOperator.identity());
    }

    /** The same, with {@code customize(ProxyCluster.baseOptions())} as the proxy's options. */
    public Proxy startProxy(String cluster, ZkSettings zkSettings, UnaryOperator<ProxyOptions> customize) throws InterruptedException {
        ProxyControl control = ProxyControl.start(zkSettings, cluster, BackendAuth.NONE);
        try {
            SlotMap map = control.awaitInitialMap();
            List<String> users = UserWatcher.read(control.store().client(), cluster); // as ProxyMain does
            ProxyServer server = ProxyCluster.startProxy(map, o -> customize.apply(o).withUsers(users));
            new UserWatcher(control.store().client(), cluster, users, null, server.context().commands(),
                    server.context().access()::users).start(); // closed with the control's ZooKeeper client
            server.context().cluster().fence("starting: not registered yet"); // as ProxyMain does; lifted by the first read
            server.context().extraInfo(control.status()::infoLines);
            server.context().backendParams(BackendParams.recorded(control.store(), cluster, BackendAuth.NONE)); // as ProxyMain does
            control.attach(server.context().cluster(), new HostPort("127.0.0.1", server.port()), "test", server::mapChanged);
            Proxy p = new Proxy(control, server);
            proxies.add(p);
            await("proxy " + p.id() + " to be registered and serving", () -> server.context().cluster().fence() == null);
            return p;
        } catch (RuntimeException | InterruptedException e) {
            control.close();
            throw e;
        }
    }

    /** Waits (bounded) until the proxy routes by {@code epoch} and its registration says so. */
    public void awaitApplied(Proxy p, String cluster, long epoch) {
        await("proxy " + p.id() + " to apply epoch " + epoch + " (status: " + p.control().status() + ")",
                () -> p.appliedEpoch() == epoch && p.control().status().appliedEpoch() == epoch);
        await("registration of " + p.id() + " to show epoch " + epoch, () -> admin.proxies(cluster).stream()
                .anyMatch(r -> r.id().equals(p.id()) && r.proxy() != null && r.proxy().appliedEpoch() == epoch));
    }

    /** {@link Await#until} with a 30 s bound. */
    public static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(30), condition::getAsBoolean);
    }

    /** Writes {@code k:i = v:i} for i below {@code keys} straight onto every redis-server. */
    public void mirror(int keys) {
        for (RedisServer r : redis) {
            try (Jedis j = r.client()) {
                Pipeline p = j.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.set("k:" + i, "v:" + i);
                }
                p.sync();
            }
        }
    }

    /** Index of the redis-server that owns {@code key} by {@code t}. */
    public int ownerOf(Topology t, String key) {
        int slot = SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
        HostPort master = t.slotMap(BackendAuth.NONE).groupOf(slot).master();
        for (int i = 0; i < redis.size(); i++) {
            if (address(i).equals(master)) {
                return i;
            }
        }
        throw new AssertionError("no server for " + master);
    }

    /** Client connections a redis-server has, not counting the one asking. */
    public int clientsOf(int redisIndex) {
        try (Jedis j = redis.get(redisIndex).client()) {
            return (int) j.clientList().lines().filter(l -> !l.isBlank()).count() - 1;
        }
    }

    @Override
    public void close() throws Exception {
        for (Proxy p : proxies) {
            try {
                p.control().close();
            } finally {
                p.server().close();
            }
        }
        if (admin != null) {
            admin.close();
        }
        for (RedisServer r : redis) {
            r.close();
        }
        zk.close();
    }
}
