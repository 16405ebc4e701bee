package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;

/**
 * One shard made slow ({@code DEBUG SLEEP}, sent straight to it: the proxy refuses DEBUG) while
 * a pipeline alternates between three shards: the fast shards' replies must wait for the slow
 * one's, so the client still sees every reply in request order.
 */
class ReplyOrderingIntegrationTest {

    private static final int SLOW = 1;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void jedisPipelineAcrossShardsWithOneSlowShard() throws Exception {
        int shards = cluster.shards().size();
        List<List<String>> keys = cluster.keysOnEachShard("ord:", 100);
        ExecutorService slower = Executors.newSingleThreadExecutor();
        try (Jedis jedis = cluster.client(); RespSocket slowShard = RespSocket.connect(cluster.shard(SLOW).port())) {
            Map<String, String> values = new HashMap<>();
            for (int round = 0; round < 4; round++) {
                // Sleep the slow shard before the pipeline starts and once more while it runs.
                slowShard.command("DEBUG", "SLEEP", "0.2");
                Future<?> again = slower.submit(() -> {
                    Thread.sleep(150);
                    slowShard.command("DEBUG", "SLEEP", "0.2");
                    return null;
                });
                Thread.sleep(20);
                Pipeline p = jedis.pipelined();
                List<Response<?>> replies = new ArrayList<>();
                List<Object> expected = new ArrayList<>();
                int n = 3_000;
                for (int i = 0; i < n; i++) {
                    String key = keys.get(i % shards).get(i / shards % 100);
                    switch (i / shards % 3) {
                        case 0 -> {
                            String v = "r" + round + "-" + i;
                            values.put(key, v);
                            replies.add(p.set(key, v));
                            expected.add("OK");
                            replies.add(p.get(key));
                            expected.add(v);
                        }
                        case 1 -> {
                            replies.add(p.strlen(key));
                            String v = values.get(key);
                            expected.add(v == null ? 0L : (long) v.length());
                        }
                        default -> {
                            replies.add(p.sendCommand(Protocol.Command.ECHO, "echo-" + i)); // answered by the proxy itself
                            expected.add("echo-" + i);
                        }
                    }
                }
                p.sync();
                for (int i = 0; i < replies.size(); i++) {
                    Object actual = replies.get(i).get();
                    if (actual instanceof byte[] bytes) {
                        actual = new String(bytes, StandardCharsets.UTF_8);
                    }
                    assertEquals(expected.get(i), actual, "reply " + i + " in round " + round);
                }
                again.get(30, TimeUnit.SECONDS);
                assertEquals("+OK", slowShard.readLine());
                assertEquals("+OK", slowShard.readLine());
            }
        } finally {
            slower.shutdownNow();
        }
    }

    @Test
    void rawPipelineAcrossShardsWithOneSlowShard() throws Exception {
        int shards = cluster.shards().size();
        List<List<String>> keys = cluster.keysOnEachShard("rord:", 50);
        try (RespSocket client = RespSocket.connect(cluster.port()); RespSocket slowShard = RespSocket.connect(cluster.shard(SLOW).port())) {
            for (int s = 0; s < shards; s++) {
                for (String k : keys.get(s)) {
                    client.command("DEL", k);
                    client.read();
                }
            }
            slowShard.command("DEBUG", "SLEEP", "0.2");
            Thread.sleep(20);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int n = 6_000;
            for (int i = 0; i < n; i++) {
                b.writeBytes(RespSocket.encode("INCR", keys.get(i % shards).get(i / shards % 50)));
            }
            client.send(b.toByteArray());
            long[][] counters = new long[shards][50];
            for (int i = 0; i < n; i++) {
                long expected = ++counters[i % shards][i / shards % 50];
                assertEquals(expected, client.read(), "reply " + i + " (shard " + i % shards + ")");
            }
            assertEquals("+OK", slowShard.readLine());
        }
    }
}
