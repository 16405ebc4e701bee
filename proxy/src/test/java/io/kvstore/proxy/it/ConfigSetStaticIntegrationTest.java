package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/** CONFIG SET and CONFIG RESETSTAT through a static-mode proxy ({@code --backends}): applied to the servers directly. */
class ConfigSetStaticIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    private static Object config(int port, String... args) {
        try (Jedis j = ProxyCluster.client(port)) {
            Object r = j.sendCommand(Protocol.Command.CONFIG, args);
            return r instanceof byte[] b ? SafeEncoder.encode(b) : r;
        }
    }

    @Test
    void setIsAppliedToEveryBackend() {
        ProxyServer p = cluster.startProxy(o -> o.withAllowConfigSet(true));
        assertEquals("OK", config(p.port(), "SET", "slowlog-log-slower-than", "4321", "lua-time-limit", "6000"));
        for (RedisServer r : cluster.shards()) {
            try (Jedis j = r.client()) {
                assertEquals("4321", j.configGet("slowlog-log-slower-than").get("slowlog-log-slower-than"), r.toString());
                assertEquals("6000", j.configGet("busy-reply-threshold").get("busy-reply-threshold"), r.toString());
            }
        }
    }

    @Test
    void refusedWithoutTheFlag() {
        JedisDataException e = assertThrows(JedisDataException.class,
                () -> config(cluster.port(), "SET", "slowlog-max-len", "99"));
        assertTrue(e.getMessage().contains("--allow-config-set"), e.getMessage());
    }

    @Test
    void wrongNumberOfArgumentsAsRedis() {
        ProxyServer p = cluster.startProxy(o -> o.withAllowConfigSet(true));
        JedisDataException e = assertThrows(JedisDataException.class,
                () -> config(p.port(), "SET", "slowlog-max-len", "99", "lua-time-limit"));
        assertEquals("ERR wrong number of arguments for 'config|set' command", e.getMessage());
    }

    @Test
    void resetStatZeroesEveryBackendAndTheProxyCounters() {
        try (Jedis j = cluster.client()) {
            for (int i = 0; i < 50; i++) {
                j.get("missing:" + i);
            }
        }
        for (RedisServer r : cluster.shards()) {
            try (Jedis j = r.client()) {
                assertFalse(j.info("stats").contains("keyspace_misses:0\r"), r.toString());
            }
        }
        long before = proxyCommands();
        assertTrue(before >= 50, "proxy counted " + before);
        assertEquals("OK", config(cluster.port(), "RESETSTAT"));
        for (RedisServer r : cluster.shards()) {
            try (Jedis j = r.client()) {
                assertTrue(j.info("stats").contains("keyspace_misses:0\r"), r.toString());
            }
        }
        assertTrue(proxyCommands() < 50, "proxy counted " + proxyCommands() + " after RESETSTAT");
    }

    private static long proxyCommands() {
        String info = cluster.proxy().context().infoSection("proxy");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("proxy_total_commands_processed:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1));
            }
        }
        throw new AssertionError("no proxy_total_commands_processed in " + info);
    }
}
