package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Many clients at once, spread by the proxy over its two worker loops: each client's replies
 * are its own and in its own order.
 */
class ConcurrencyIntegrationTest {

    private static final int CLIENTS = 200;
    private static final int KEYS_PER_CLIENT = 100; // a SET and a GET each: 200 commands per client
    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void twoHundredClientsAtOnceEachSeeTheirOwnValues() throws Exception {
        List<Jedis> clients = new ArrayList<>(CLIENTS);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int c = 0; c < CLIENTS; c++) {
                Jedis jedis = cluster.client();
                clients.add(jedis);
                assertEquals("PONG", jedis.ping());
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                Jedis jedis = clients.get(c);
                results.add(pool.submit(() -> {
                    go.await();
                    int checked = 0;
                    for (int k = 0; k < KEYS_PER_CLIENT; k++) {
                        String key = "cc:" + id + ":" + k;
                        String value = "client" + id + "-value" + k;
                        assertEquals("OK", jedis.set(key, value));
                        assertEquals(value, jedis.get(key), key);
                        checked += 2;
                    }
                    assertEquals(1, jedis.incr("cc:counter:" + id)); // a key of its own: no interference
                    return checked;
                }));
            }
            assertEquals(CLIENTS, cluster.proxy().context().connectedClients().get(), "all clients connected at once");
            go.countDown();
            int total = 0;
            for (Future<Integer> r : results) {
                total += r.get(120, TimeUnit.SECONDS);
            }
            assertEquals(CLIENTS * KEYS_PER_CLIENT * 2, total);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "client threads stopped");
            clients.forEach(Jedis::close);
        }
        long keys = cluster.shards().stream().mapToLong(s -> s.dbSize()).sum();
        assertEquals(CLIENTS * (KEYS_PER_CLIENT + 1), keys);
    }
}
