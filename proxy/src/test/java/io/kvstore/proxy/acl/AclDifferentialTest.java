package io.kvstore.proxy.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same users on a real redis-server (ACL SETUSER) and on the proxy (its users list): every
 * AUTH, command, key and channel of a matrix must get the same OK, -NOPERM or -WRONGPASS, in
 * RESP2 and RESP3. A reply that is not an error counts as "ok" on both sides (the data differ).
 */
class AclDifferentialTest {

    private static final List<String> USERS = List.of(
            "alice on >p1 ~cached:* %R~ro:* %W~wo:* &chan* +@read +@string -@dangerous +publish +subscribe "
                    + "+psubscribe +multi +exec +ping +acl|whoami +hello",
            "bob on nopass ~* &* +@all -flushall -config",
            "carol off >c1 ~* &* +@all",
            "dave on >d1 allkeys allchannels +@all -@write");

    /** Each user's password (AUTH user pass), then the commands checked as that user. */
    private static final List<List<String>> COMMANDS = List.of(
            List.of("GET", "cached:1"), List.of("GET", "other"), List.of("GET", "ro:1"), List.of("SET", "ro:1", "v"),
            List.of("SET", "wo:1", "v"), List.of("SET", "wo:1", "v", "GET"), List.of("SET", "cached:1", "v"),
            List.of("LPUSH", "cached:l", "v"), List.of("MGET", "cached:1", "other"), List.of("MGET", "cached:1", "cached:2"),
            List.of("PUBLISH", "chanA", "m"), List.of("PUBLISH", "x", "m"), List.of("SUBSCRIBE", "chan1", "zzz"),
            List.of("PSUBSCRIBE", "chanX"), List.of("EXISTS", "other"), List.of("DEL", "cached:1"),
            List.of("INCR", "cached:n"), List.of("CONFIG", "GET", "maxmemory"), List.of("ACL", "WHOAMI"),
            List.of("PING"), List.of("KEYS", "nomatch*"), List.of("EVAL", "return 1", "1", "cached:1"),
            List.of("FLUSHALL"), List.of("ACL", "DRYRUN", "alice", "get", "other"),
            List.of("MULTI"), List.of("GET", "other"), List.of("GET", "other"), List.of("EXEC"), List.of("EXEC"));

    @RegisterExtension
    static final ProxyCluster CLUSTER = ProxyCluster.perClass(2);
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.perClass();

    private static ProxyServer proxy;

    @BeforeAll
    static void sameUsersOnBoth() {
        proxy = CLUSTER.startProxy(o -> o.withUsers(USERS));
        try (RespSocket r = RespSocket.connect(REDIS.port())) {
            for (String line : USERS) {
                List<String> words = new ArrayList<>(List.of("ACL", "SETUSER"));
                words.addAll(List.of(line.split(" ")));
                assertEquals("OK", r.call(words.toArray(String[]::new)));
            }
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void sameAnswersAsRedis(int protocol) {
        List<String> differences = new ArrayList<>();
        int checked = 0;
        String[][] logins = {{"alice", "p1"}, {"alice", "wrong"}, {"bob", "anything"}, {"carol", "c1"}, {"dave", "d1"},
                             {"nobody", "x"}};
        for (String[] login : logins) {
            try (RespSocket p = RespSocket.connect(proxy.port()); RespSocket r = RespSocket.connect(REDIS.port())) {
                String[] hello = {"HELLO", String.valueOf(protocol), "AUTH", login[0], login[1]};
                String helloP = outcome(p.call(hello));
                String helloR = outcome(r.call(hello));
                checked++;
                if (!helloP.equals(helloR)) {
                    differences.add(String.join(" ", hello) + ": proxy " + helloP + ", redis " + helloR);
                }
                if (helloR.startsWith("-")) {
                    continue;
                }
                for (List<String> c : COMMANDS) {
                    String[] words = c.toArray(String[]::new);
                    String fromProxy = outcome(p.call(words));
                    String fromRedis = outcome(r.call(words));
                    checked++;
                    if (!fromProxy.equals(fromRedis)) {
                        differences.add(login[0] + " " + String.join(" ", words) + ": proxy " + fromProxy + ", redis " + fromRedis);
                    }
                }
            }
        }
        assertTrue(differences.isEmpty(), checked + " checked, differences:\n" + String.join("\n", differences));
        assertTrue(checked > 80, "the matrix ran");
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void aRefusalIsCountedAndTheDefaultUserStillWorks(int protocol) {
        try (RespSocket p = RespSocket.connect(proxy.port())) {
            p.call("HELLO", String.valueOf(protocol));
            assertEquals("default", p.call("ACL", "WHOAMI"));
            RespSocket.Error e = assertInstanceOf(RespSocket.Error.class, p.call("AUTH", "alice", "nope"));
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.", e.message());
            assertEquals("default", p.call("ACL", "WHOAMI"), "a failed AUTH keeps the current user, as in Redis");
            String info = String.valueOf(p.call("INFO", "proxy"));
            assertTrue(info.matches("(?s).*acl_access_denied_auth:[1-9].*"), info);
        }
    }

    /** "ok" for a reply that is not an error, else the error's text. */
    private static String outcome(Object reply) {
        return reply instanceof RespSocket.Error e ? "-" + e.message() : "ok";
    }
}
