package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.Lettuce;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lettuce 6.5 as it comes: it opens with {@code HELLO 3}, the proxy accepts, and the connection
 * speaks RESP3 (then {@code CLIENT SETINFO}); forced to RESP2 or RESP3 it works as well.
 */
class LettuceIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void defaultClientSpeaksResp3() {
        try (RespSocket raw = RespSocket.connect(cluster.port())) {
            Object hello = raw.call("HELLO", "3");
            assertTrue(hello instanceof Map<?, ?> m && Long.valueOf(3).equals(m.get("proto")), "HELLO 3 -> " + hello);
        }
        try (Lettuce lettuce = Lettuce.of(cluster.port());
             StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals("PONG", sync.ping());
            assertEquals("OK", sync.set("lettuce:k", "v"));
            assertEquals("v", sync.get("lettuce:k"));
            assertEquals(1L, sync.incr("lettuce:n"));
            assertEquals(2L, sync.hset("lettuce:h", Map.of("a", "1", "b", "2")));
            assertEquals(Map.of("a", "1", "b", "2"), sync.hgetall("lettuce:h"));
            assertEquals("OK", sync.clientSetname("lettuce-it"));
            assertEquals("lettuce-it", sync.clientGetname());
        }
    }

    /** Lettuce (and Jedis, redis-py) send CLIENT SETINFO on connect; ignored failures there, but it must be accepted. */
    @Test
    void clientSetinfoIsAccepted() {
        try (Lettuce lettuce = Lettuce.of(cluster.port());
             StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals("OK", sync.clientSetinfo("lib-name", "kvstore-it"));
            assertEquals("OK", sync.clientSetinfo("lib-ver", "1.0"));
            assertEquals("PONG", sync.ping());
        }
    }

    @Test
    void explicitResp2Works() {
        try (Lettuce lettuce = Lettuce.of(cluster.port(), o -> o.protocolVersion(ProtocolVersion.RESP2));
             StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals("OK", sync.set("lettuce:r2", "x"));
            assertEquals("x", sync.get("lettuce:r2"));
            assertEquals(3L, sync.rpush("lettuce:l", "a", "b", "c"));
            assertEquals(List.of("a", "b", "c"), sync.lrange("lettuce:l", 0, -1));
        }
    }

    /** A client that insists on RESP3 gets it: doubles, maps and nulls come in their RESP3 types. */
    @Test
    void explicitResp3Works() {
        try (Lettuce lettuce = Lettuce.of(cluster.port(), o -> o.protocolVersion(ProtocolVersion.RESP3));
             StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals(1L, sync.zadd("lettuce:z3", 1.5, "m"));
            assertEquals(1.5, sync.zscore("lettuce:z3", "m"));
            assertTrue(sync.hset("lettuce:h3", "f", "v"));
            assertEquals(Map.of("f", "v"), sync.hgetall("lettuce:h3"));
            assertEquals(null, sync.get("lettuce:none3"));
        }
    }
}
