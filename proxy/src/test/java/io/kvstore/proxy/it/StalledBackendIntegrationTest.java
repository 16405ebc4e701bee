package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyOptions;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.Await;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A redis-server that stops answering without closing (SIGSTOP) must not hang its clients:
 * after --backend-stall-ms its pending requests fail with an error, other shards keep serving,
 * and once it runs again the proxy reconnects.
 */
class StalledBackendIntegrationTest {

    private static void signal(long pid, String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    void aPausedShardFailsItsRequestsInsteadOfHangingThem() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2)) {
            ProxyServer proxy = cluster.startProxy(o -> new ProxyOptions(o.listen(), 1, o.transport(), o.clientLimits(),
                    new BackendOptions(1, 1000, 100, 500, 800), null));
            String paused = cluster.keysOn(1, "stall:", 1).get(0);
            String fine = cluster.keysOn(0, "fine:", 1).get(0);
            try (Jedis j = ProxyCluster.client(proxy.port())) {
                assertEquals("OK", j.set(paused, "1"));
                signal(cluster.shard(1).pid(), "STOP");
                try {
                    JedisDataException e = null;
                    try {
                        j.get(paused);
                    } catch (JedisDataException x) {
                        e = x;
                    }
                    assertTrue(e != null && e.getMessage().contains("no reply"), String.valueOf(e));
                    assertEquals("OK", j.set(fine, "2"), "the other shard serves meanwhile");
                } finally {
                    signal(cluster.shard(1).pid(), "CONT");
                }
                String back = Await.value("the key served again after the server resumed", Duration.ofSeconds(10), () -> {
                    try {
                        return j.get(paused);
                    } catch (JedisDataException retry) {
                        return null;
                    }
                });
                assertEquals("1", back, "served again after the server resumed");
                Object stall = j.sendCommand(() -> "LATENCY".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        "HISTORY", "backend-stall");
                java.util.List<?> samples = (java.util.List<?>) stall;
                assertEquals(1, samples.size(), "one stall, after 800 ms with no reply (LATENCY HISTORY backend-stall)");
                assertTrue((Long) ((java.util.List<?>) samples.get(0)).get(1) >= 800, String.valueOf(samples));
            }
        }
    }
}
