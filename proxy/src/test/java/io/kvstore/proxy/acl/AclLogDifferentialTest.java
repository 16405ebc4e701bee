package io.kvstore.proxy.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ACL LOG and ACL GENPASS on the proxy against a real redis-server with the same user, where the
 * output is deterministic: the same denials (a failed AUTH, a refused command, key and channel, a
 * repeated one folded into a count of 2, one inside MULTI) give the same entries in the same order
 * with the same field names and the same count, reason, context, object and user, in RESP2 and
 * RESP3; RESET, a count and bad arguments answer alike; GENPASS gives hex of the same lengths and
 * the same errors. The ages and client lines differ by nature and are checked for shape only.
 */
class AclLogDifferentialTest {

    private static final String ALICE = "alice on >pw ~app:* &ch +get +publish +multi +exec +discard";

    @RegisterExtension
    static final ProxyCluster CLUSTER = ProxyCluster.perClass(1);
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.perClass();

    private static ProxyServer proxy;

    @BeforeAll
    static void sameUserOnBoth() {
        proxy = CLUSTER.startProxy(o -> o.withUsers(List.of(ALICE)));
        try (RespSocket r = RespSocket.connect(REDIS.port())) {
            List<String> words = new ArrayList<>(List.of("ACL", "SETUSER"));
            words.addAll(List.of(ALICE.split(" ")));
            assertEquals("OK", r.call(words.toArray(String[]::new)));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void theSameDenialsGiveTheSameEntries(int protocol) {
        List<Map<String, Object>> proxyLog = denialsThenLog(proxy.port(), protocol);
        List<Map<String, Object>> redisLog = denialsThenLog(REDIS.port(), protocol);
        assertEquals(5, redisLog.size(), "positive control: redis logged every denial: " + redisLog);
        assertEquals(comparable(redisLog), comparable(proxyLog));
        for (Map<String, Object> e : proxyLog) {
            assertEquals(List.copyOf(redisLog.get(0).keySet()), List.copyOf(e.keySet()), "the same fields in the same order");
            Object age = e.get("age-seconds");
            assertTrue(protocol == 3 ? age instanceof Double : Double.parseDouble((String) age) >= 0, "age-seconds: " + age);
            assertTrue(((String) e.get("client-info")).contains(" user=alice ") || "auth".equals(e.get("reason")),
                    "client-info is a CLIENT LIST line: " + e.get("client-info"));
        }
    }

    /** ACL LOG's other forms, answered alike by both. */
    @Test
    void countResetAndBadArguments() {
        try (RespSocket p = RespSocket.connect(proxy.port()); RespSocket r = RespSocket.connect(REDIS.port())) {
            for (RespSocket s : List.of(p, r)) {
                s.call("ACL", "LOG", "RESET");
                s.call("AUTH", "alice", "wrong");
                s.call("AUTH", "nobody", "wrong");
            }
            for (String[] call : new String[][] {{"ACL", "LOG", "1"}, {"ACL", "LOG", "foo"}, {"ACL", "LOG", "1", "2"},
                    {"ACL", "LOG", "RESET"}, {"ACL", "LOG"}, {"ACL", "GENPASS", "0"}, {"ACL", "GENPASS", "4097"},
                    {"ACL", "GENPASS", "x"}}) {
                Object fromRedis = r.call(call);
                Object fromProxy = p.call(call);
                if (fromRedis instanceof List<?> list && !list.isEmpty()) {
                    assertEquals(comparable(entries(list)), comparable(entries((List<?>) fromProxy)), String.join(" ", call));
                } else {
                    assertEquals(fromRedis, fromProxy, String.join(" ", call));
                }
            }
            for (String bits : new String[] {"256", "5", "4096", "1"}) {
                String fromRedis = (String) r.call("ACL", "GENPASS", bits);
                String fromProxy = (String) p.call("ACL", "GENPASS", bits);
                assertEquals(fromRedis.length(), fromProxy.length(), "GENPASS " + bits);
                assertTrue(fromProxy.matches("[0-9a-f]+"), fromProxy);
            }
            assertEquals(64, ((String) p.call("ACL", "GENPASS")).length());
        }
    }

    /** The denials, by alice; then the log as read by the default user. */
    private static List<Map<String, Object>> denialsThenLog(int port, int protocol) {
        try (RespSocket admin = RespSocket.connect(port); RespSocket alice = RespSocket.connect(port)) {
            assertEquals("OK", admin.call("ACL", "LOG", "RESET"));
            alice.call("HELLO", String.valueOf(protocol));
            assertInstanceOf(RespSocket.Error.class, alice.call("AUTH", "alice", "wrong"));
            assertEquals("OK", alice.call("AUTH", "alice", "pw"));
            alice.call("GET", "other");
            alice.call("GET", "other");
            alice.call("SET", "app:1", "v");
            alice.call("PUBLISH", "elsewhere", "m");
            alice.call("GET", "app:1");
            assertEquals("OK", alice.call("MULTI"));
            alice.call("GET", "secret");
            alice.call("DISCARD");
            admin.call("HELLO", String.valueOf(protocol));
            return entries((List<?>) admin.call("ACL", "LOG"));
        }
    }

    /** Each entry as a map, from RESP3's map or RESP2's flat list. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> entries(List<?> reply) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : reply) {
            if (o instanceof Map<?, ?> m) {
                out.add((Map<String, Object>) m);
            } else {
                List<?> flat = (List<?>) o;
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    m.put((String) flat.get(i), flat.get(i + 1));
                }
                out.add(m);
            }
        }
        return out;
    }

    /** The deterministic fields of each entry. */
    private static List<String> comparable(List<Map<String, Object>> entries) {
        return entries.stream().map(e -> e.get("count") + " " + e.get("reason") + " " + e.get("context") + " "
                + e.get("object") + " " + e.get("username")).toList();
    }
}
