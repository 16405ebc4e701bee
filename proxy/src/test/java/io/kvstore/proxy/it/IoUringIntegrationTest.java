package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.Workload;
import io.kvstore.proxy.it.support.Workload.Command;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.server.Transport;
import io.netty.channel.uring.IoUring;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A proxy on {@code --transport io_uring} against real redis-servers: client and backend channels
 * both on io_uring loops (Netty 4.2 refuses to register a channel of another transport on an
 * io_uring loop, so a backend opened with the wrong channel class would fail every command here).
 */
class IoUringIntegrationTest {

    private static final int COMMANDS = 20_000;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static ProxyServer uring;

    @BeforeAll
    static void startUringProxy() {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here: " + IoUring.unavailabilityCause());
        uring = cluster.startProxy(o -> o.withTransport("io_uring"));
    }

    @BeforeEach
    void emptyShards() {
        cluster.flushAll();
    }

    @Test
    void runsOnIoUringWhileTheDefaultProxyDoesNot() {
        assertEquals(Transport.IO_URING, uring.transport());
        assertNotEquals(Transport.IO_URING, cluster.proxy().transport(), "positive control: auto is not io_uring");
    }

    @Test
    void pipelineOfMixedCommandsOverEveryShard() {
        List<Command> commands = Workload.generate("u:", COMMANDS, 13, 500);
        try (Jedis jedis = ProxyCluster.client(uring.port())) {
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

    @Test
    void mgetSplitOverEveryShardKeepsKeyOrder() {
        List<List<String>> perShard = cluster.keysOnEachShard("m:", 4);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (List<String> shardKeys : perShard) {
                keys.add(shardKeys.get(i)); // interleaved: every neighbour is on another shard
            }
        }
        try (Jedis jedis = ProxyCluster.client(uring.port())) {
            Pipeline p = jedis.pipelined();
            for (String k : keys) {
                p.set(k, "v-" + k);
            }
            List<Response<List<String>>> mgets = new ArrayList<>();
            for (int round = 0; round < 200; round++) {
                mgets.add(p.mget(keys.toArray(String[]::new)));
            }
            p.sync();
            List<String> expected = keys.stream().map(k -> "v-" + k).toList();
            for (Response<List<String>> r : mgets) {
                assertEquals(expected, r.get());
            }
        }
        for (String k : keys) {
            try (Jedis direct = ProxyCluster.client(cluster.shard(cluster.shardOf(k)).port())) {
                assertEquals("v-" + k, direct.get(k), "the value is on the shard the key belongs to");
            }
        }
    }
}
