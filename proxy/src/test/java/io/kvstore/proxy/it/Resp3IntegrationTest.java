package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RESP3 through the proxy, for the replies the proxy builds or merges itself and for the switch
 * between protocols; each case is asked of a plain redis-server too, and the two must agree
 * (byte-level comparison of whole scripts is the differential harness's job). Keys are spread
 * over three groups, so merged replies really are merged.
 */
class Resp3IntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    private List<List<String>> keys;

    @BeforeEach
    void empty() {
        cluster.flushAll();
        try (RespSocket s = RespSocket.connect(plain.port())) {
            s.call("FLUSHALL");
        }
        keys = cluster.keysOnEachShard("r3:", 2);
    }

    /** Runs {@code commands} after HELLO 3 on the proxy and on the plain server; returns both replies of each. */
    private List<Object[]> both(String[]... commands) {
        List<Object[]> out = new ArrayList<>();
        try (RespSocket proxy = RespSocket.connect(cluster.port()); RespSocket redis = RespSocket.connect(plain.port())) {
            assertHello3(proxy.call("HELLO", "3"));
            assertHello3(redis.call("HELLO", "3"));
            for (String[] c : commands) {
                out.add(new Object[] {redis.call(c), proxy.call(c)});
            }
        }
        return out;
    }

    private static void assertHello3(Object hello) {
        Map<?, ?> m = assertInstanceOf(Map.class, hello, "HELLO 3 answers a map");
        assertEquals(3L, m.get("proto"));
        assertEquals(List.of("server", "version", "proto", "id", "mode", "role", "modules"), List.copyOf(m.keySet()));
    }

    private static void assertSame(List<Object[]> replies) {
        for (Object[] r : replies) {
            assertEquals(r[0], r[1], "redis answered " + r[0] + ", the proxy " + r[1]);
        }
    }

    private static String[] cmd(String... words) {
        return words;
    }

    @Test
    void repliesTheProxyMergesComeInRespThreeTypes() {
        String a = keys.get(0).get(0);
        String b = keys.get(1).get(0);
        String c = keys.get(2).get(0);
        List<Object[]> r = both(
                cmd("MSET", a, "1", c, "3"),
                cmd("MGET", a, b, c),
                cmd("EXISTS", a, b, c),
                cmd("DBSIZE"),
                cmd("GET", b),
                cmd("SADD", a + "s", "x", "y"),
                cmd("SMEMBERS", a + "s"),
                cmd("HSET", c + "h", "f", "v"),
                cmd("HGETALL", c + "h"),
                cmd("ZADD", b + "z", "1.5", "m"),
                cmd("ZSCORE", b + "z", "m"),
                cmd("ZRANGE", b + "z", "0", "-1", "WITHSCORES"),
                cmd("EVAL", "redis.setresp(3); return redis.call('HGETALL', KEYS[1])", "1", c + "h"),
                cmd("BLPOP", b + "l", "0.01"),
                cmd("CLIENT", "GETNAME"),
                cmd("DEL", a, b, c));
        assertSame(r);
        assertEquals(Arrays.asList("1", null, "3"), r.get(1)[1], "MGET over three groups with a RESP3 null");
        assertEquals(Set.of("x", "y"), r.get(6)[1]);
        assertEquals(Map.of("f", "v"), r.get(8)[1]);
        assertEquals(1.5, r.get(10)[1]);
        assertNull(r.get(13)[1], "a timed-out BLPOP is a RESP3 null");
    }

    @Test
    void textRepliesAreVerbatimAndConfigIsAMap() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            s.call("HELLO", "3");
            s.call("SET", keys.get(1).get(0), "v");
            Object info = s.call("INFO", "keyspace");
            assertInstanceOf(String.class, info);
            assertTrue(((String) info).contains("db0:keys=1,"), "merged keyspace in a verbatim string: " + info);
            Object client = s.call("CLIENT", "INFO");
            assertTrue(((String) client).contains(" resp=3"), "CLIENT INFO: " + client);
            assertInstanceOf(Map.class, s.call("CONFIG", "GET", "maxclients"));
        }
        try (RespSocket s = RespSocket.connect(cluster.port())) { // the same in RESP2: bulk strings and flat arrays
            assertTrue(((String) s.call("CLIENT", "INFO")).contains(" resp=2"));
            assertInstanceOf(List.class, s.call("CONFIG", "GET", "maxclients"));
        }
    }

    @Test
    void aPipelineMaySwitchProtocolBetweenCommands() {
        String k = "{" + keys.get(2).get(0) + "}";
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            s.command("HELLO", "3");
            s.command("HSET", k, "f", "v");
            s.command("HGETALL", k);
            s.command("MULTI");
            s.command("HGETALL", k);
            s.command("GET", k + "none");
            s.command("EXEC");
            s.command("HELLO", "2");
            s.command("HGETALL", k);
            s.command("GET", k + "none");
            assertInstanceOf(Map.class, s.read());
            assertEquals(1L, s.read());
            assertEquals(Map.of("f", "v"), s.read());
            assertEquals("OK", s.read());
            assertEquals("QUEUED", s.read());
            assertEquals("QUEUED", s.read());
            assertEquals(Arrays.asList(Map.of("f", "v"), null), s.read(), "EXEC's replies in RESP3");
            assertInstanceOf(List.class, s.read(), "HELLO 2 answers a flat array");
            assertEquals(List.of("f", "v"), s.read(), "HGETALL in RESP2 again");
            assertNull(s.read());
            assertEquals(List.of(), s.call("KEYS", "nothing*"));
        }
    }

    @Test
    void aRespThreeSubscriberGetsPushesAndMayRunCommands() {
        String k = keys.get(0).get(0);
        try (RespSocket sub = RespSocket.connect(cluster.port()); RespSocket pub = RespSocket.connect(cluster.port())) {
            sub.call("HELLO", "3");
            assertEquals(List.of("subscribe", "news", 1L), assertInstanceOf(RespSocket.Push.class, sub.call("SUBSCRIBE", "news")));
            assertEquals("OK", sub.call("SET", k, "v"), "RESP3 allows commands while subscribed");
            assertEquals("v", sub.call("GET", k));
            assertEquals("PONG", sub.call("PING"), "PING answers as outside Pub/Sub");
            assertEquals(1L, pub.call("PUBLISH", "news", "hello"));
            assertEquals(List.of("message", "news", "hello"), assertInstanceOf(RespSocket.Push.class, sub.read()));
            assertEquals(List.of("unsubscribe", "news", 0L), sub.call("UNSUBSCRIBE"));
            assertEquals(Arrays.asList("unsubscribe", null, 0L), sub.call("UNSUBSCRIBE"), "a RESP3 null for no channel");
        }
    }

    @Test
    void resetGoesBackToRespTwoAndHelloWithoutVersionDescribesTheCurrentOne() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            assertHello3(s.call("HELLO", "3"));
            assertHello3(s.call("HELLO"));
            assertEquals("RESET", s.call("RESET"));
            Object hello = s.call("HELLO");
            assertInstanceOf(List.class, hello, "RESP2 again after RESET");
            assertEquals(2L, ((List<?>) hello).get(5));
            assertEquals(new RespSocket.Error("NOPROTO unsupported protocol version"), s.call("HELLO", "4"));
        }
    }
}
