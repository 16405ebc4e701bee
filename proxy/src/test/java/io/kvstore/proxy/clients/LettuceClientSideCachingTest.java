package io.kvstore.proxy.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.Lettuce;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lettuce's own client-side cache (RESP3, CLIENT TRACKING) through the proxy, over keys of three
 * groups: a value read once is served from the local map, and a change made by another client
 * evicts it, so the next read sees the new value.
 */
class LettuceClientSideCachingTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void aChangeByAnotherClientEvictsTheCachedValue() throws Exception {
        List<List<String>> keys = cluster.keysOnEachShard("csc:", 1);
        Map<String, String> local = new ConcurrentHashMap<>();
        try (Lettuce lettuce = Lettuce.of(cluster.port());
             StatefulRedisConnection<String, String> tracked = lettuce.connect();
             StatefulRedisConnection<String, String> other = lettuce.connect()) {
            CacheFrontend<String, String> cache = ClientSideCaching.enable(CacheAccessor.forMap(local), tracked,
                    TrackingArgs.Builder.enabled());
            try {
                for (List<String> group : keys) {
                    String k = group.get(0);
                    other.sync().set(k, "v1");
                    assertEquals("v1", cache.get(k));
                    assertEquals("v1", local.get(k), "cached after the first read");
                    other.sync().set(k, "v2");
                    ZkFixture.await("the invalidation of " + k + " to evict it", () -> !local.containsKey(k));
                    assertEquals("v2", cache.get(k), "the next read goes to the server");
                }
                assertTrue(local.size() == keys.size());
            } finally {
                cache.close();
            }
        }
    }
}
