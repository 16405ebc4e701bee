package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.AdminMain;
import io.kvstore.config.Group;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.CachingReader;
import io.kvstore.proxy.it.support.ProxyCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;

/**
 * Client-side caching across live resharding: while the admin CLI's rebalance moves a quarter of
 * the slots, with their keys, onto a new group, a writer changes keys through one proxy and a
 * caching client (RESP3, CLIENT TRACKING) reads them through the other, from its cache when it
 * can. Once the writer stops and the client has applied what it was told, no cached value may
 * differ from the stored one: a lost invalidation would leave one old forever.
 */
class TrackingAcrossReshardTest {

    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void noCachedValueOutlivesARebalance() throws Exception {
        f = ZkFixture.start(4);
        f.createCluster("shop", 3);
        ZkFixture.Proxy a = f.startProxy("shop");
        ZkFixture.Proxy b = f.startProxy("shop");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            keys.add("t:" + i);
        }
        Topology added = f.admin.update("shop", t -> t.withGroupAdded(Group.of("g4", f.address(3)))).value();
        f.awaitApplied(a, "shop", added.epoch());
        f.awaitApplied(b, "shop", added.epoch());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> problem = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Jedis w = ProxyCluster.client(b.port())) {
                for (long round = 0; running.get() && round < 1_000_000; round++) {
                    w.set(keys.get((int) (round % keys.size())), "v" + round);
                }
            } catch (RuntimeException e) {
                problem.compareAndSet(null, "writer: " + e);
            }
        });
        try (CachingReader reader = new CachingReader(a.port())) {
            Thread readerThread = new Thread(() -> {
                try {
                    for (long round = 0; running.get() && round < 10_000_000; round++) {
                        reader.get(keys.get((int) (round % keys.size())));
                    }
                } catch (RuntimeException e) {
                    problem.compareAndSet(null, "reader: " + e);
                }
            });
            writer.start();
            readerThread.start();
            int exit;
            try {
                exit = new CommandLine(new AdminMain()).execute("--zk", f.zk.getConnectString(),
                        "rebalance", "shop", "--rate", "0", "--chunk-slots", "700", "--quiet");
            } finally {
                running.set(false);
                writer.join(30_000);
                readerThread.join(30_000);
            }
            assertEquals(0, exit, "rebalance exit code");
            assertEquals(null, problem.get());
            assertTrue(reader.invalidations() > 0, "the reader was told of changes while it read");

            try (Jedis truth = ProxyCluster.client(b.port())) {
                Map<String, String> stored = new HashMap<>();
                keys.forEach(k -> stored.put(k, truth.get(k)));
                ZkFixture.await("the caching client to hold no stale value", () -> {
                    reader.drain();
                    return reader.staleAgainst(stored).isEmpty();
                });
                keys.forEach(reader::get); // cache everything again: invalidations still flow after the moves
                keys.forEach(k -> truth.set(k, "after"));
                ZkFixture.await("every change after the rebalance to be told", () -> {
                    reader.drain();
                    return keys.stream().noneMatch(reader::cached);
                });
            }
        }
    }
}
