package io.kvstore.proxy.health;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.control.ProxyControl;
import io.kvstore.proxy.failover.FailoverController;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyOptions;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * A failover test bench: an in-process ZooKeeper, real redis-server groups (a master and its
 * replicas, replication set up), an admin {@link ClusterStore}, and proxies in this JVM with
 * health checks and a failover controller. One controlling thread; {@link #close()} stops
 * everything, proxies first.
 *
 * <p>A test class owns one per test as
 * {@code @RegisterExtension final FailoverFixture f = FailoverFixture.perTest();}: the extension
 * starts ZooKeeper before each test (before its {@code @BeforeEach} methods) and closes the
 * whole bench after it (after its {@code @AfterEach} methods), whatever the test started in it.
 */
final class FailoverFixture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    /** A proxy and its ZooKeeper side. */
    record Proxy(ProxyControl control, ProxyServer server) {
        int port() {
            return server.port();
        }

        String id() {
            return "127.0.0.1:" + server.port();
        }

        long epoch() {
            return server.context().cluster().map().epoch();
        }

        FailoverController controller() {
            return control.failoverController();
        }

        void close() {
            try {
                control.close();
            } finally {
                server.close();
            }
        }
    }

    /** Proxy options whose backend connections give up on a paused server after {@code stallMs}. */
    static UnaryOperator<ProxyOptions> stall(int stallMs) {
        return o -> new ProxyOptions(o.listen(), o.threads(), o.transport(), o.clientLimits(),
                new BackendOptions(1, 1_000, 100, 3_000, stallMs), o.password());
    }

    /** Fast checks for tests: every 200 ms, 500 ms timeout, failover after {@code downAfterMs}. */
    static HealthOptions fast(long downAfterMs) {
        return new HealthOptions(true, 200, 500, downAfterMs, 0, true, true);
    }

    TestingServer zk;
    final List<RedisNode> nodes = new ArrayList<>();
    final List<Proxy> proxies = new ArrayList<>();
    ClusterStore admin;

    private FailoverFixture() {
    }

    /** A bench not started yet, for an instance {@code @RegisterExtension} field: one bench per test. */
    static FailoverFixture perTest() {
        return new FailoverFixture();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (zk != null) {
            throw new IllegalStateException("the bench is already started");
        }
        zk = new TestingServer();
        try {
            admin = ClusterStore.connect(settings());
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    /** Short ZooKeeper timeouts: a killed controller's session ends within 4 s. */
    ZkSettings settings() {
        return new ZkSettings(zk.getConnectString(), 4_000, 2_000, 1, null);
    }

    /**
     * Starts {@code groups} groups of one master and {@code replicas} replicas each (AOF on in
     * data-store mode), replication in sync, and creates cluster {@code name} over them.
     * Returns the nodes group by group, master first.
     */
    List<List<RedisNode>> createCluster(String name, ClusterMode mode, int groups, int replicas) {
        return createCluster(name, mode, groups, replicas, mode == ClusterMode.DATASTORE);
    }

    /** The same, AOF on or off in every server as asked. */
    List<List<RedisNode>> createCluster(String name, ClusterMode mode, int groups, int replicas, boolean aof) {
        List<List<RedisNode>> out = new ArrayList<>();
        List<Group> gs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            List<RedisNode> members = new ArrayList<>();
            RedisNode master = node(aof);
            members.add(master);
            List<HostPort> rs = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                RedisNode replica = node(aof);
                replica.follow(master);
                members.add(replica);
                rs.add(replica.address());
            }
            out.add(members);
            gs.add(new Group("g" + (g + 1), master.address(), rs, null));
        }
        admin.create(Topology.create(name, mode, gs));
        return out;
    }

    RedisNode node(boolean aof) {
        RedisNode n = RedisNode.start(aof);
        nodes.add(n);
        return n;
    }

    Proxy startProxy(String cluster, HealthOptions health) throws InterruptedException {
        return startProxy(cluster, health, null);
    }

    /** A proxy for {@code cluster} with {@code health} (and {@code prober} instead of real PINGs, when given). */
    Proxy startProxy(String cluster, HealthOptions health, HealthMonitor.Prober prober) throws InterruptedException {
        return startProxy(cluster, health, prober, UnaryOperator.identity());
    }

    /** The same with proxy options changed by {@code customize} (from {@link ProxyCluster#baseOptions()}). */
    Proxy startProxy(String cluster, HealthOptions health, HealthMonitor.Prober prober, UnaryOperator<ProxyOptions> customize)
            throws InterruptedException {
        ProxyControl control = ProxyControl.start(settings(), cluster, BackendAuth.NONE);
        try {
            SlotMap map = control.awaitInitialMap();
            ProxyServer server = ProxyCluster.startProxy(map, customize);
            server.context().extraInfo(control.status()::infoLines);
            control.attach(server.context().cluster(), new HostPort("127.0.0.1", server.port()), "test",
                    server::mapChanged, health, prober);
            Proxy p = new Proxy(control, server);
            proxies.add(p);
            return p;
        } catch (RuntimeException | InterruptedException e) {
            control.close();
            throw e;
        }
    }

    Topology topology(String cluster) {
        return admin.read(cluster).value();
    }

    List<FailoverRecord> failovers(String cluster) {
        return admin.failovers(cluster).stream().map(Versioned::value).toList();
    }

    /**
     * The first failover record of {@code cluster} once it has ended (bounded wait): a controller
     * writes it DONE in a ZooKeeper write of its own right after publishing the topology, so a
     * test that has seen the new topology may still read it RUNNING.
     */
    FailoverRecord ended(String cluster) {
        await("the failover record of " + cluster + " to end", () -> {
            FailoverRecord.State s = failovers(cluster).get(0).state();
            return s != FailoverRecord.State.RUNNING && s != FailoverRecord.State.REQUESTED;
        });
        return failovers(cluster).get(0);
    }

    /** The proxy whose controller leads now, waiting (bounded) for one. */
    Proxy leader() {
        await("a controller to lead", () -> proxies.stream().anyMatch(p -> p.controller() != null && p.controller().isLeader()));
        return proxies.stream().filter(p -> p.controller() != null && p.controller().isLeader()).findFirst().orElseThrow();
    }

    /** Waits until every proxy routes by {@code epoch} or later. */
    void awaitEpoch(long epoch) {
        await("every proxy to apply epoch " + epoch, () -> proxies.stream().allMatch(p -> p.epoch() >= epoch));
    }

    /** Waits until every proxy's health view is published (each checked every server once). */
    void awaitHealthViews(String cluster) {
        int servers = topology(cluster).addresses().size();
        await("every proxy to publish its health view", () -> admin.healthReports(cluster).stream()
                .filter(r -> r.nodes().size() == servers).count() == proxies.size());
    }

    static Jedis client(int port) {
        return new Jedis("127.0.0.1", port, DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2_000).socketTimeoutMillis(10_000).build());
    }

    /** {@code count} keys {@code prefix<n>} whose slots group {@code groupId} owns in {@code t}. */
    static List<String> keysOf(Topology t, String groupId, String prefix, int count) {
        SlotMap m = t.slotMap(BackendAuth.NONE);
        List<String> keys = new ArrayList<>();
        for (int n = 0; keys.size() < count; n++) {
            String k = prefix + n;
            if (m.groupOf(SlotHash.slot(k.getBytes(StandardCharsets.UTF_8))).id().equals(groupId)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** {@link Await#until} with a minute's bound (failovers take several health rounds). */
    static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofMinutes(1), condition::getAsBoolean);
    }

    static void sleep(long ms) {
        Await.sleep(ms);
    }

    @Override
    public void close() throws Exception {
        for (Proxy p : proxies) {
            try {
                p.close();
            } catch (RuntimeException e) {
                // go on stopping the rest
            }
        }
        if (admin != null) {
            admin.close();
        }
        for (RedisNode n : nodes) {
            n.close();
        }
        if (zk != null) {
            zk.close();
        }
    }
}
