package io.kvstore.proxy.it.support;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.server.ProxyOptions;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * N real redis-servers as shards behind a {@link ProxyServer} run in this JVM, its slots spread
 * evenly over the shards (shard i is group {@code g<i>}). More proxies with other options can be
 * started on the same shards with {@link #startProxy}. For integration tests; one controlling
 * thread. {@link #close()} stops every proxy, then every server, even if some fail to stop.
 *
 * <p>Two ways to own one: {@link #start(int)} starts it at once and the caller closes it (try
 * with resources); {@link #perClass(int)} is a JUnit extension for a test class to share, as
 * {@code @RegisterExtension static final ProxyCluster cluster = ProxyCluster.perClass(3);}: the
 * extension starts it before the class's {@code @BeforeAll} methods and closes it after its
 * {@code @AfterAll} methods, so those may use it.
 */
public final class ProxyCluster implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private final int shardCount;
    private final List<ProxyServer> proxies = new ArrayList<>();
    private List<RedisServer> shards = List.of();
    private SlotMap map;
    private ProxyServer proxy;

    private ProxyCluster(int shardCount) {
        this.shardCount = shardCount;
    }

    /** {@code shards} servers and a proxy with default options and two worker threads. */
    public static ProxyCluster start(int shards) {
        ProxyCluster cluster = new ProxyCluster(shards);
        cluster.startServersAndProxy();
        return cluster;
    }

    /**
     * The same cluster, not started yet: to be registered as a static {@code @RegisterExtension}
     * field, which starts it before the test class's {@code @BeforeAll} methods and closes it
     * after its {@code @AfterAll} methods.
     */
    public static ProxyCluster perClass(int shards) {
        return new ProxyCluster(shards);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startServersAndProxy();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void startServersAndProxy() {
        if (proxy != null) {
            throw new IllegalStateException("the cluster is already started");
        }
        List<RedisServer> servers = new ArrayList<>();
        try {
            List<Group> groups = new ArrayList<>();
            for (int i = 0; i < shardCount; i++) {
                RedisServer s = RedisServer.start();
                servers.add(s);
                groups.add(Group.of("g" + i, HostPort.parse(s.address())));
            }
            shards = servers;
            map = SlotMap.evenlySpread(1, groups);
            proxy = startProxy(map, UnaryOperator.identity());
            proxies.add(proxy);
        } catch (RuntimeException | Error e) {
            shards = List.of();
            map = null;
            servers.forEach(RedisServer::close);
            throw e;
        }
    }

    /** Options every proxy of this fixture starts from: port 0 (any free port) on 127.0.0.1, two workers. */
    public static ProxyOptions baseOptions() {
        return ProxyOptions.on(HostPort.parse("127.0.0.1:0")).withThreads(2);
    }

    /** Starts another proxy over the same shards with {@code customize(baseOptions())}; closed with the cluster. */
    public ProxyServer startProxy(UnaryOperator<ProxyOptions> customize) {
        ProxyServer p = startProxy(map(), customize);
        proxies.add(p);
        return p;
    }

    /** A proxy over {@code map} with {@code customize(baseOptions())}; the caller closes it. */
    public static ProxyServer startProxy(SlotMap map, UnaryOperator<ProxyOptions> customize) {
        try {
            return ProxyServer.start(customize.apply(baseOptions()), map);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the proxy", e);
        }
    }

    /** The proxy started with the cluster. */
    public ProxyServer proxy() {
        requireStarted();
        return proxy;
    }

    public int port() {
        return proxy().port();
    }

    public SlotMap map() {
        requireStarted();
        return map;
    }

    public List<RedisServer> shards() {
        requireStarted();
        return shards;
    }

    public RedisServer shard(int i) {
        return shards().get(i);
    }

    /** A new Jedis client of the main proxy with generous timeouts; the caller closes it. */
    public Jedis client() {
        return client(port());
    }

    public static Jedis client(int port) {
        return client(port, RedisProtocol.RESP2);
    }

    /**
     * A new Jedis client of 127.0.0.1:{@code port} speaking {@code protocol} (RESP3: HELLO 3 on
     * connect); the caller closes it.
     */
    public static Jedis client(int port, RedisProtocol protocol) {
        return new Jedis("127.0.0.1", port, DefaultJedisClientConfig.builder().protocol(protocol)
                .connectionTimeoutMillis(5_000).socketTimeoutMillis(60_000).build());
    }

    /** Index of the shard that owns {@code key}, by the slot map the proxy routes with. */
    public int shardOf(String key) {
        return map().groupIndex(SlotHash.slot(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code count} distinct keys {@code prefix<n>} that all live on shard {@code shard}. */
    public List<String> keysOn(int shard, String prefix, int count) {
        List<String> keys = new ArrayList<>(count);
        for (int n = 0; keys.size() < count; n++) {
            String k = prefix + n;
            if (shardOf(k) == shard) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** For each shard in turn, {@code count} distinct keys {@code prefix<n>} that live on it. */
    public List<List<String>> keysOnEachShard(String prefix, int count) {
        List<List<String>> keys = new ArrayList<>();
        for (int s = 0; s < shards().size(); s++) {
            keys.add(keysOn(s, prefix, count));
        }
        return keys;
    }

    /** FLUSHALL straight on every running shard. */
    public void flushAll() {
        shards().stream().filter(RedisServer::isRunning).forEach(RedisServer::flushAll);
    }

    private void requireStarted() {
        if (proxy == null) {
            throw new IllegalStateException("the cluster is not started (a perClass() cluster must be a static @RegisterExtension field)");
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (ProxyServer p : proxies) {
            try {
                p.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (RedisServer s : shards) {
            try {
                s.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
