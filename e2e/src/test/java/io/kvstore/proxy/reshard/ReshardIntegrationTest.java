package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.admin.AdminMain;
import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Live resharding end to end: real ZooKeeper (in process), real redis-servers, two proxies, the
 * admin CLI's rebalance moving a quarter of all slots onto a new group while a writer increments
 * counters through one proxy and a reader checks through the other that no value ever goes back.
 * Afterwards every key has its last value and lives only on the server that owns its slot.
 */
class ReshardIntegrationTest {

    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** Runs kvstore-admin here; what it printed goes to {@code out}. */
    private int admin(StringWriter out, String... args) {
        List<String> all = new ArrayList<>(List.of("--zk", f.zk.getConnectString()));
        all.addAll(List.of(args));
        CommandLine cli = new CommandLine(new AdminMain());
        cli.setOut(new PrintWriter(out, true));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void rebalanceOntoANewGroupUnderLoadLosesNothing() throws Exception {
        rebalanceUnderLoad("--chunk-slots", "700", "--quiet");
    }

    /**
     * Latency pacing on: the move still ends with every key in place, and the pacing did run
     * (a baseline was taken and the bound set from it: the positive control; how many windows it
     * decided depends on how long the move took, so that is not asserted).
     */
    @Test
    void aRebalancePacedByLatencyLosesNothing() throws Exception {
        String json = rebalanceUnderLoad("--max-latency-ratio", "2", "--parallel-sources", "3", "--json");
        JsonNode pacing = new ObjectMapper().readTree(json).path("pacing");
        long baseline = pacing.path("baselineP99Micros").asLong();
        assertTrue(baseline > 0, "a baseline was taken: " + json);
        assertEquals("proxies", pacing.path("probe").asText(), "probed through the registered proxies: " + json);
        assertTrue(pacing.path("probeTargets").asInt() >= 2, "both proxies answered, one key or more each: " + json);
        assertTrue(Math.abs(pacing.path("boundP99Micros").asLong() - 2 * baseline) <= 1, "the bound is 2x the baseline: " + json);
        assertTrue(pacing.path("lastRate").asLong() >= 500, "the rate stays above the floor: " + json);
        assertTrue(Math.abs(pacing.path("targetP99Micros").asLong() - 0.7 * pacing.path("boundP99Micros").asLong()) <= 1,
                "the rate aims below 0.7x the bound by default: " + json);
        assertEquals(pacing.path("windows").asInt(), pacing.path("trace").size(), "every window is in the trace: " + json);
    }

    /**
     * Rebalances a quarter of the slots onto a new 4th group with {@code --rate 0} and {@code options}
     * while a writer and a reader run through the proxies; checks that nothing was lost or read stale
     * and that every key lives on its owner. Returns what the admin printed.
     */
    private String rebalanceUnderLoad(String... options) throws Exception {
        f = ZkFixture.start(4);
        f.createCluster("shop", 3);
        ZkFixture.Proxy a = f.startProxy("shop");
        ZkFixture.Proxy b = f.startProxy("shop");
        int keys = 3000;
        try (Jedis viaA = ProxyCluster.client(a.port())) {
            Pipeline p = viaA.pipelined();
            for (int i = 0; i < keys; i++) {
                p.set("k:" + i, "v:" + i);
                if (i % 10 == 0) {
                    p.expire("k:" + i, 100_000);
                }
                p.rpush("l:" + i % 100, "x" + i);
            }
            p.sync();
        }
        Topology added = f.admin.update("shop", t -> t.withGroupAdded(Group.of("g4", f.address(3)))).value();
        f.awaitApplied(a, "shop", added.epoch());
        f.awaitApplied(b, "shop", added.epoch());

        int counters = 50;
        AtomicLong[] acked = new AtomicLong[counters];
        for (int i = 0; i < counters; i++) {
            acked[i] = new AtomicLong();
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> problem = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Jedis w = ProxyCluster.client(b.port())) {
                for (long round = 0; running.get() && round < 1_000_000; round++) {
                    int c = (int) (round % counters);
                    long v = w.incr("c:" + c);
                    acked[c].set(v);
                }
            } catch (RuntimeException e) {
                problem.compareAndSet(null, "writer: " + e);
            }
        });
        Thread reader = new Thread(() -> {
            try (Jedis r = ProxyCluster.client(a.port())) {
                for (long round = 0; running.get() && round < 1_000_000; round++) {
                    int c = (int) (round % counters);
                    long before = acked[c].get();
                    String got = r.get("c:" + c);
                    long seen = got == null ? 0 : Long.parseLong(got);
                    if (seen < before) {
                        problem.compareAndSet(null, "stale read of c:" + c + ": " + seen + " after " + before + " was acknowledged");
                    }
                }
            } catch (RuntimeException e) {
                problem.compareAndSet(null, "reader: " + e);
            }
        });
        writer.start();
        reader.start();
        int exit;
        StringWriter printed = new StringWriter();
        List<String> args = new ArrayList<>(List.of("rebalance", "shop", "--rate", "0"));
        args.addAll(List.of(options));
        try {
            exit = admin(printed, args.toArray(String[]::new));
        } finally {
            running.set(false);
            writer.join(30_000);
            reader.join(30_000);
        }
        assertEquals(0, exit, "rebalance exit code; printed: " + printed);
        assertEquals(null, problem.get());

        Topology t = f.admin.read("shop").value();
        assertTrue(t.migrating().isEmpty(), "nothing left migrating");
        for (Group g : t.groups()) {
            int n = t.slotCount(g.id());
            assertTrue(n == 4096, g.id() + " owns " + n + " slots");
        }
        try (Jedis viaB = ProxyCluster.client(b.port())) {
            for (int i = 0; i < keys; i++) {
                assertEquals("v:" + i, viaB.get("k:" + i), "k:" + i);
            }
            for (int c = 0; c < counters; c++) {
                assertEquals(acked[c].get(), Long.parseLong(viaB.get("c:" + c)), "c:" + c + " has its last acknowledged value");
            }
            assertTrue(viaB.ttl("k:0") > 99_000, "TTL kept");
            assertEquals(30L, viaB.llen("l:7"));
        }
        for (int i = 0; i < f.redis.size(); i++) {
            RedisServer server = f.redis.get(i);
            try (Jedis direct = server.client()) {
                String cursor = "0";
                do {
                    ScanResult<String> page = direct.scan(cursor, new ScanParams().count(1000));
                    for (String key : page.getResult()) {
                        assertEquals(i, f.ownerOf(t, key), key + " is on server " + i + " but slot "
                                + SlotHash.slot(key.getBytes(StandardCharsets.UTF_8)) + " belongs elsewhere");
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals("0"));
            }
        }
        return printed.toString();
    }
}
