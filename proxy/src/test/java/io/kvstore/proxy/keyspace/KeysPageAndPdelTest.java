package io.kvstore.proxy.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/** kvstore's extensions: ordered KEYS paging over all groups, and PDEL. */
class KeysPageAndPdelTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static final TreeSet<String> USERS = new TreeSet<>();

    @BeforeAll
    static void load() {
        try (Jedis j = cluster.client()) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < 2500; i++) {
                String k = String.format("user:%05d", i);
                USERS.add(k);
                p.set(k, "v" + i);
            }
            p.set("other", "x");
            p.hset("user:hash", "f", "v");
            p.sync();
        }
        USERS.add("user:hash");
    }

    @SuppressWarnings("unchecked")
    private static List<String> keys(Jedis j, String... args) {
        List<Object> raw = (List<Object>) j.sendCommand(Protocol.Command.KEYS, args);
        List<String> out = new ArrayList<>();
        raw.forEach(o -> out.add(o == null ? null : SafeEncoder.encode((byte[]) o)));
        return out;
    }

    @Test
    void pagesComeInByteOrderAfterThePivot() {
        try (Jedis j = cluster.client()) {
            List<String> all = new ArrayList<>();
            String pivot = null;
            for (int page = 0; page < 100; page++) {
                List<String> got = pivot == null ? keys(j, "user:*", "LIMIT", "300") : keys(j, "user:*", "PIVOT", pivot, "LIMIT", "300");
                if (got.isEmpty()) {
                    break;
                }
                all.addAll(got);
                pivot = got.get(got.size() - 1);
            }
            assertEquals(new ArrayList<>(USERS), all, "every key once, in byte order, across all groups");
            List<String> desc = keys(j, "user:*", "LIMIT", "3", "DESC");
            assertEquals(List.of("user:hash", "user:02499", "user:02498"), desc);
        }
    }

    @Test
    void withValuesPairsEachKeyWithItsValue() {
        try (Jedis j = cluster.client()) {
            assertEquals(List.of("user:00010", "v10", "user:00011", "v11"), keys(j, "user:0001*", "LIMIT", "2", "WITHVALUES"));
            List<String> hash = keys(j, "user:h*", "WITHVALUES");
            assertEquals("user:hash", hash.get(0));
            assertEquals(null, hash.get(1), "not a string: nil, as GET semantics");
        }
    }

    @Test
    void pdelDeletesEveryMatchOnEveryGroup() {
        try (Jedis j = cluster.client()) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < 1500; i++) {
                p.set("tmp:" + i, "x");
            }
            p.sync();
            assertEquals(1500L, j.sendCommand(() -> SafeEncoder.encode("PDEL"), "tmp:*"));
            assertEquals(List.of(), keys(j, "tmp:*"));
            assertEquals("x", j.get("other"), "other keys stay");
        }
    }
}
