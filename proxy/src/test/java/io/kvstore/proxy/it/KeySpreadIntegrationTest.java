package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.SlotHash;
import io.kvstore.proxy.it.support.ProxyCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** Keys written through the proxy land on the shard their slot maps to, and on no other. */
class KeySpreadIntegrationTest {

    private static final int KEYS = 3000;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void everyKeyLivesExactlyOnTheShardItsSlotMapsTo() {
        cluster.flushAll();
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add("spread:" + i);
        }
        keys.add("{user1000}.following"); // hash tags route by the tag only
        keys.add("{user1000}.followers");
        keys.add("foo{}{bar}"); // an empty tag: the whole key is hashed
        try (Jedis proxy = cluster.client()) {
            for (String k : keys) {
                proxy.set(k, "v-" + k);
            }
        }
        int shards = cluster.shards().size();
        long total = 0;
        for (int s = 0; s < shards; s++) {
            try (Jedis direct = cluster.shard(s).client()) {
                long size = direct.dbSize();
                assertTrue(size > 0, "shard " + s + " holds no keys");
                total += size;
                Pipeline p = direct.pipelined();
                List<Response<String>> values = new ArrayList<>(keys.size());
                for (String k : keys) {
                    values.add(p.get(k));
                }
                p.sync();
                for (int i = 0; i < keys.size(); i++) {
                    String k = keys.get(i);
                    int owner = cluster.map().groupIndex(SlotHash.slot(k.getBytes(StandardCharsets.UTF_8)));
                    String expected = owner == s ? "v-" + k : null;
                    assertEquals(expected, values.get(i).get(), "key " + k + " (owner shard " + owner + ") on shard " + s);
                }
            }
        }
        assertEquals(keys.size(), total, "sum of DBSIZE over the shards");
        assertEquals(cluster.shardOf("{user1000}.following"), cluster.shardOf("{user1000}.followers"));
    }
}
