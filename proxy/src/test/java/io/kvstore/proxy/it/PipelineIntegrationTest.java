package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.Lettuce;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.Workload;
import io.kvstore.proxy.it.support.Workload.Command;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Deep pipelines of mixed single-key commands over every shard: each of 100,000 replies is
 * checked against a model of the keyspace, so a reply out of order or lost shows at once.
 */
class PipelineIntegrationTest {

    private static final int COMMANDS = 100_000;
    private static final int KEYS_PER_TYPE = 2_000;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @BeforeEach
    void emptyShards() {
        cluster.flushAll();
    }

    @Test
    void jedisPipelineOf100kMixedCommands() {
        List<Command> commands = Workload.generate("jp:", COMMANDS, 7, KEYS_PER_TYPE);
        assertSpansEveryShard(commands);
        try (Jedis jedis = cluster.client()) {
            Pipeline p = jedis.pipelined();
            List<Response<?>> replies = Workload.queue(p, commands);
            p.sync();
            for (int i = 0; i < commands.size(); i++) {
                Command c = commands.get(i);
                assertReply(i, c, Workload.canonical(replies.get(i).get()));
            }
            assertEquals("PONG", jedis.ping(), "the connection is usable after the pipeline");
        }
    }

    @Test
    void lettuceAsyncWithManualFlushOf100kMixedCommands() throws Exception {
        List<Command> commands = Workload.generate("lp:", COMMANDS, 11, KEYS_PER_TYPE);
        try (Lettuce lettuce = Lettuce.of(cluster.port());
             StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            conn.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = conn.async();
            List<RedisFuture<?>> futures = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                Command c = commands.get(i);
                futures.add(switch (c.op()) {
                    case SET -> async.set(c.key(), c.value());
                    case GET -> async.get(c.key());
                    case INCR -> async.incr(c.key());
                    case LPUSH -> async.lpush(c.key(), c.value());
                    case LLEN -> async.llen(c.key());
                    case HSET -> async.hset(c.key(), c.field(), c.value());
                    case HGET -> async.hget(c.key(), c.field());
                    case EXISTS -> async.exists(c.key());
                    case APPEND -> async.append(c.key(), c.value());
                });
                if (i % 1_000 == 999) {
                    conn.flushCommands();
                }
            }
            conn.flushCommands();
            for (int i = 0; i < commands.size(); i++) {
                assertReply(i, commands.get(i), Workload.canonical(futures.get(i).get(120, TimeUnit.SECONDS)));
            }
            conn.setAutoFlushCommands(true);
            assertEquals("PONG", conn.sync().ping());
        }
    }

    private static void assertReply(int i, Command c, Object actual) {
        if (!Objects.equals(c.expected(), actual)) {
            throw new AssertionError("reply " + i + " to " + c + " was " + actual);
        }
    }

    private static void assertSpansEveryShard(List<Command> commands) {
        BitSet shards = new BitSet();
        commands.forEach(c -> shards.set(cluster.shardOf(c.key())));
        assertEquals(cluster.shards().size(), shards.cardinality(), "the workload touches every shard");
    }
}
