package io.kvstore.proxy.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** RANDOMKEY through the proxy picks from the whole keyspace, whichever groups hold keys. */
class RandomKeyTest {

    /** Enough calls that a group holding a third of the keys is missed with odds of about 1e-50. */
    private static final int CALLS = 300;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @BeforeEach
    void empty() {
        cluster.flushAll();
    }

    @Test
    void everyGroupsKeysComeUp() {
        List<List<String>> keys = cluster.keysOnEachShard("rk:", 1);
        Set<String> all = new HashSet<>();
        keys.forEach(all::addAll);
        Set<String> seen = new HashSet<>();
        try (Jedis j = cluster.client()) {
            all.forEach(k -> j.set(k, "v"));
            for (int i = 0; i < CALLS && seen.size() < all.size(); i++) {
                String k = j.randomKey();
                assertTrue(all.contains(k), "RANDOMKEY answered " + k);
                seen.add(k);
            }
        }
        assertEquals(all, seen, "every group's key comes up in " + CALLS + " calls");
    }

    @Test
    void emptyGroupsNeverMakeItNil() {
        String onLast = cluster.keysOn(2, "rk:last", 1).get(0);
        try (Jedis j = cluster.client()) {
            j.set(onLast, "v");
            for (int i = 0; i < CALLS; i++) {
                assertEquals(onLast, j.randomKey());
            }
        }
    }

    @Test
    void nilWhenNoGroupHoldsAKey() {
        try (Jedis j = cluster.client()) {
            assertNull(j.randomKey());
            j.set("rk:one", "v");
            assertNotNull(j.randomKey());
        }
    }

    /** Keys are drawn in proportion to how many each group holds: a group with 1 key of 61 rarely comes up. */
    @Test
    void groupsAreWeightedByTheirKeyCount() {
        String lone = cluster.keysOn(0, "rk:lone", 1).get(0);
        List<String> many = cluster.keysOn(1, "rk:many", 60);
        int lonely = 0;
        try (Jedis j = cluster.client()) {
            j.set(lone, "v");
            many.forEach(k -> j.set(k, "v"));
            for (int i = 0; i < CALLS; i++) {
                if (j.randomKey().equals(lone)) {
                    lonely++;
                }
            }
        }
        // Expected 300/61 = 5; uniform over groups would give 150. 40 is far from both.
        assertTrue(lonely < 40, "the group with 1 key of 61 came up " + lonely + " times in " + CALLS);
    }
}
