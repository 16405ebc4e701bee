package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.Lettuce;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A shard dies (SIGKILL) under a deep pipeline: every request still gets a reply, success or an
 * error naming the backend; the other shards are not disturbed; the proxy reconnects once the
 * shard is back on the same port.
 */
class BackendFailureIntegrationTest {

    private static final int VICTIM = 1;
    private static final int COMMANDS = 10_000;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void killedShardFailsItsRequestsOnlyAndComesBack() throws Exception {
        int shards = cluster.shards().size();
        List<List<String>> keys = cluster.keysOnEachShard("bf:", 200);
        RedisServer victim = cluster.shard(VICTIM);
        try (Lettuce lettuce = Lettuce.of(cluster.port());
             StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisAsyncCommands<String, String> async = conn.async();
            List<RedisFuture<Long>> futures = new ArrayList<>(COMMANDS * 2);
            List<Integer> shardOf = new ArrayList<>(COMMANDS * 2);
            assertEquals("OK", async.set(cluster.keysOn(VICTIM, "bf:before:", 1).get(0), "before").get(30, TimeUnit.SECONDS));

            // Stall the victim so that requests pile up in flight on the proxy's connection to it,
            // then kill it under them.
            try (RespSocket stall = RespSocket.connect(victim.port())) {
                stall.command("DEBUG", "SLEEP", "10");
                Thread.sleep(100);
                conn.setAutoFlushCommands(false);
                queueIncrs(conn, async, keys, COMMANDS, futures, shardOf);
                Thread.sleep(300);
                victim.kill();
            }
            // More after the kill: the shard is down now.
            queueIncrs(conn, async, keys, COMMANDS / 2, futures, shardOf);
            conn.setAutoFlushCommands(true);

            int ok = 0;
            int failed = 0;
            int lost = 0;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get(60, TimeUnit.SECONDS);
                    ok++;
                } catch (ExecutionException e) {
                    assertEquals(VICTIM, shardOf.get(i), "request " + i + " for a healthy shard failed: " + e.getCause());
                    assertTrue(e.getCause() instanceof RedisCommandExecutionException, "cause " + e.getCause());
                    String m = e.getCause().getMessage();
                    assertTrue(m.startsWith("ERR") && m.contains("backend"), m);
                    lost += m.contains("lost") ? 1 : 0;
                    failed++;
                } catch (TimeoutException e) {
                    throw new AssertionError("request " + i + " (shard " + shardOf.get(i) + ") got no reply", e);
                }
            }
            System.out.printf("backend death: %d ok, %d failed (%d in flight when it died)%n", ok, failed, lost);
            assertTrue(failed > 0, "some requests for the killed shard failed");
            assertTrue(ok >= futures.size() * 2 / 3, "the healthy shards answered: " + ok);
        }

        try (Jedis jedis = cluster.client()) {
            // While the shard is down: a pipeline over all shards still gets every reply.
            Pipeline p = jedis.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                replies.add(p.set(keys.get(i % shards).get(i / shards), "during-" + i));
            }
            p.sync();
            for (int i = 0; i < replies.size(); i++) {
                if (i % shards == VICTIM) {
                    JedisDataException e = assertThrowsData(replies.get(i));
                    assertTrue(e.getMessage().startsWith("ERR") && e.getMessage().contains("backend"), e.getMessage());
                } else {
                    assertEquals("OK", replies.get(i).get(), "reply " + i);
                }
            }

            victim.restart();
            String key = keys.get(VICTIM).get(0);
            // reconnect backs off up to 3 s
            Await.until("the proxy to reconnect to the restarted shard", Duration.ofSeconds(20),
                    () -> setUnlessBackendDown(jedis, key, "after"));
            try (Jedis direct = victim.client()) {
                assertEquals("after", direct.get(key), "the write reached the restarted shard");
            }
            for (int s = 0; s < shards; s++) {
                assertEquals("OK", jedis.set(keys.get(s).get(1), "final"), "shard " + s + " after the restart");
            }
        }
        // Every client connection lands on one of the two worker loops; both must reconnect.
        for (int c = 0; c < 4; c++) {
            try (Jedis other = cluster.client()) {
                awaitOk(other, keys.get(VICTIM).get(2 + c));
            }
        }
    }

    private static void awaitOk(Jedis jedis, String key) {
        Await.until("a loop to reconnect to the restarted shard for key " + key, Duration.ofSeconds(20),
                () -> setUnlessBackendDown(jedis, key, "x"));
    }

    /**
     * SET through the proxy: true when the shard took it, false on the proxy's "backend" error
     * (not reconnected yet); any other reply or error fails the test.
     */
    private static boolean setUnlessBackendDown(Jedis jedis, String key, String value) {
        try {
            assertEquals("OK", jedis.set(key, value));
            return true;
        } catch (JedisDataException e) {
            assertTrue(e.getMessage().contains("backend"), e.getMessage());
            return false;
        }
    }

    private static JedisDataException assertThrowsData(Response<?> r) {
        try {
            Object v = r.get();
            throw new AssertionError("expected an error, got " + v);
        } catch (JedisDataException e) {
            return e;
        }
    }

    /**
     * Sends {@code n} INCRs, request i on a key of shard {@code i % shards}, flushing every 500
     * and once at the end (the caller turned auto-flush off); records each reply's future and the
     * shard it went to.
     */
    private static void queueIncrs(StatefulRedisConnection<String, String> conn, RedisAsyncCommands<String, String> async,
            List<List<String>> keys, int n, List<RedisFuture<Long>> futures, List<Integer> shardOf) {
        int shards = keys.size();
        for (int i = 0; i < n; i++) {
            int s = i % shards;
            futures.add(async.incr(keys.get(s).get(i / shards % 200)));
            shardOf.add(s);
            if (i % 500 == 499) {
                conn.flushCommands();
            }
        }
        conn.flushCommands();
    }
}
