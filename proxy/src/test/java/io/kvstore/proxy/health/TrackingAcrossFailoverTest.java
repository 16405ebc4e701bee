package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.it.support.CachingReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Client-side caching across a data-store failover: the promoted replica never saw the reads
 * the old master tracked, so the proxy must make the caching client drop what it cached, and
 * invalidations must flow from the new master afterwards. The check: a client that cached every
 * key before the kill, and caches them again after, holds no value that differs from the stored
 * one once the writes after the failover have been told.
 */
class TrackingAcrossFailoverTest {

    private static final long DOWN_AFTER_MS = 2_000;

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    @Test
    void noCachedValueOutlivesAFailover() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 1);
        FailoverFixture.Proxy p1 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        FailoverFixture.Proxy p2 = f.startProxy("ds", FailoverFixture.fast(DOWN_AFTER_MS));
        f.awaitHealthViews("ds");
        Topology t = f.topology("ds");
        List<String> keys = new ArrayList<>(FailoverFixture.keysOf(t, "g1", "t:", 20));
        keys.addAll(FailoverFixture.keysOf(t, "g2", "t:", 20));

        try (CachingReader reader = new CachingReader(p1.port()); Jedis writer = FailoverFixture.client(p2.port())) {
            write(writer, keys, "v1");
            keys.forEach(reader::get);
            assertEquals(keys.size(), reader.size());

            write(writer, keys, "v2"); // positive control: invalidations flow before the failover
            awaitDrained(reader, keys);
            keys.forEach(k -> assertEquals("v2", reader.get(k)));

            RedisNode oldMaster = groups.get(0).get(0);
            oldMaster.kill();
            FailoverFixture.await("g1 to get a new master",
                    () -> !f.topology("ds").group("g1").orElseThrow().master().equals(oldMaster.address()));
            f.awaitEpoch(f.topology("ds").epoch());
            FailoverFixture.await("writes to g1 to succeed again", () -> {
                try {
                    return "OK".equals(writer.set(keys.get(0), "v2"));
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
            reader.drain();
            assertTrue(reader.flushes() > 0, "the caching client was told to drop its cache");

            write(writer, keys, "v3"); // read after the failover, then changed on the new master
            keys.forEach(k -> assertEquals("v3", reader.get(k)));
            write(writer, keys, "v4");
            awaitDrained(reader, keys);
            assertEquals(List.of(), reader.staleAgainst(stored(writer, keys)));
            keys.forEach(k -> assertEquals("v4", reader.get(k)));
        }
    }

    private static void write(Jedis writer, List<String> keys, String value) {
        keys.forEach(k -> writer.set(k, value));
    }

    /** Waits (bounded) until none of {@code keys} is cached: every write was told. */
    private static void awaitDrained(CachingReader reader, List<String> keys) {
        FailoverFixture.await("every changed key to be invalidated", () -> {
            reader.drain();
            return keys.stream().noneMatch(reader::cached);
        });
    }

    private static Map<String, String> stored(Jedis j, List<String> keys) {
        Map<String, String> out = new HashMap<>();
        keys.forEach(k -> out.put(k, j.get(k)));
        return out;
    }
}
