package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.Workload;
import io.kvstore.proxy.it.support.Workload.Command;
import io.kvstore.proxy.server.ProxyServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A proxy with {@code --busy-poll-us} against real redis-servers: its worker loops spin before each sleep, and
 * every reply still reaches the right client in order, one command at a time from many clients (where the spin
 * saves a wake-up) and pipelined.
 */
class BusyPollIntegrationTest {

    private static final int CLIENTS = 8;
    private static final int PER_CLIENT = 1_000;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static ProxyServer spinning;

    @BeforeAll
    static void startSpinningProxy() {
        spinning = cluster.startProxy(o -> o.withBusyPollMicros(100));
    }

    @BeforeEach
    void emptyShards() {
        cluster.flushAll();
    }

    @Test
    void manyClientsOneCommandAtATime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                String prefix = "c" + c + ":";
                done.add(pool.submit(() -> {
                    try (Jedis jedis = ProxyCluster.client(spinning.port())) {
                        for (int i = 0; i < PER_CLIENT; i++) {
                            assertEquals("OK", jedis.set(prefix + i, "v" + i));
                            assertEquals("v" + i, jedis.get(prefix + i));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        String key = "c3:" + (PER_CLIENT - 1);
        try (Jedis direct = ProxyCluster.client(cluster.shard(cluster.shardOf(key)).port())) {
            assertEquals("v" + (PER_CLIENT - 1), direct.get(key), "written through to the shard the key belongs to");
        }
    }

    @Test
    void pipelineOfMixedCommandsOverEveryShard() {
        List<Command> commands = Workload.generate("b:", 10_000, 17, 500);
        try (Jedis jedis = ProxyCluster.client(spinning.port())) {
            Pipeline p = jedis.pipelined();
            List<Response<?>> replies = Workload.queue(p, commands);
            p.sync();
            for (int i = 0; i < commands.size(); i++) {
                Object actual = Workload.canonical(replies.get(i).get());
                if (!Objects.equals(commands.get(i).expected(), actual)) {
                    throw new AssertionError("reply " + i + " to " + commands.get(i) + " was " + actual);
                }
            }
        }
    }
}
