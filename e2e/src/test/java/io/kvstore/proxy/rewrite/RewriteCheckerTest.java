package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.RewrittenKey;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.reshard.AdminCli;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The key rewrite checker: real ZooKeeper, three real redis-servers, two proxies. A writer (through
 * proxy B) and a reader (through proxy A) run while {@code kvstore-admin rewrite bump} runs. Every
 * value is unique, so the reader can tell when it was written: after the bump returned, no read may
 * return a value whose write was acknowledged before the bump started, and the keys written after
 * it must be readable through both proxies. Then: hash-tag groups on one server, the server that
 * owns their logical slot; KEYS, SCAN, RANDOMKEY and PDEL never show a physical name; reserved
 * names are refused.
 */
class RewriteCheckerTest {

    private static final int TAGS = 20;
    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static String key(long i) {
        return "user:{t" + (i % TAGS) + "}:" + i / TAGS;
    }

    @Test
    void afterABumpNoReadReturnsAnEarlierValue() throws Exception {
        f = ZkFixture.start(3);
        f.createCluster("shop", 3);
        ZkFixture.Proxy a = f.startProxy("shop");
        ZkFixture.Proxy b = f.startProxy("shop");
        AdminCli.Result added = AdminCli.run(f, "rewrite", "add", "shop", "user:*");
        assertEquals(0, added.exit(), added.toString());
        int keys = TAGS * 4;  // the writer's keys are [0, written); the others keep their value from before the bump
        int written = TAGS * 2;
        try (Jedis viaA = ProxyCluster.client(a.port())) {
            for (int i = 0; i < keys; i++) {
                viaA.set(key(i), "pre");
            }
            for (int i = 0; i < 10; i++) {
                viaA.set("other:" + i, "o");
            }
        }

        Map<Long, long[]> writes = new ConcurrentHashMap<>(); // seq -> {started, acknowledged}
        AtomicLong[] lastStarted = new AtomicLong[keys];
        for (int i = 0; i < keys; i++) {
            lastStarted[i] = new AtomicLong(-1);
        }
        AtomicLong bumpStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong bumpEnd = new AtomicLong(Long.MAX_VALUE);
        AtomicLong readsBefore = new AtomicLong();
        AtomicLong preBefore = new AtomicLong();
        AtomicLong readsAfter = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> problem = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Jedis w = ProxyCluster.client(b.port())) {
                for (long seq = 0; running.get() && seq < 2_000_000; seq++) {
                    int k = (int) (seq % written);
                    long started = System.nanoTime();
                    lastStarted[k].set(seq);
                    writes.put(seq, new long[] {started, Long.MAX_VALUE});
                    w.set(key(k), "w" + seq);
                    writes.get(seq)[1] = System.nanoTime();
                }
            } catch (RuntimeException e) {
                problem.compareAndSet(null, "writer: " + e);
            }
        }, "rewrite-writer");
        Thread reader = new Thread(() -> {
            try (Jedis r = ProxyCluster.client(a.port())) {
                for (long round = 0; running.get() && round < 5_000_000; round++) {
                    long started = System.nanoTime();
                    String got = r.get(key(round % keys));
                    boolean after = started > bumpEnd.get();
                    (after ? readsAfter : readsBefore).incrementAndGet();
                    if (got == null) {
                        continue;
                    }
                    long ackedAt = got.equals("pre") ? 0 : writes.get(Long.parseLong(got.substring(1)))[1];
                    if (!after && got.equals("pre")) {
                        preBefore.incrementAndGet();
                    }
                    if (after && ackedAt < bumpStart.get()) {
                        problem.compareAndSet(null, "read " + got + " of " + key(round % keys)
                                + " after the bump, written before it");
                    }
                }
            } catch (RuntimeException e) {
                problem.compareAndSet(null, "reader: " + e);
            }
        }, "rewrite-reader");
        writer.start();
        reader.start();
        AdminCli.Result bumped;
        try {
            awaitCount(readsBefore, 2_000, "reads before the bump");
            bumpStart.set(System.nanoTime());
            bumped = AdminCli.run(f, "rewrite", "bump", "shop", "user:*");
            bumpEnd.set(System.nanoTime());
            awaitCount(readsAfter, 2_000, "reads after the bump");
        } finally {
            running.set(false);
            writer.join(30_000);
            reader.join(30_000);
        }
        assertEquals(0, bumped.exit(), bumped.toString());
        assertTrue(bumped.out().contains("applied by every proxy"), bumped.out());
        assertNull(problem.get());
        assertTrue(preBefore.get() > 0, "positive control: the reader saw values from before the bump while it was not done");

        // keys written after the bump are readable through both proxies
        int checked = 0;
        try (Jedis viaA = ProxyCluster.client(a.port()); Jedis viaB = ProxyCluster.client(b.port())) {
            for (int k = 0; k < keys; k++) {
                long seq = lastStarted[k].get();
                if (seq >= 0 && writes.get(seq)[0] > bumpEnd.get()) {
                    assertEquals("w" + seq, viaA.get(key(k)), key(k) + " through A");
                    assertEquals("w" + seq, viaB.get(key(k)), key(k) + " through B");
                    checked++;
                }
            }
            assertTrue(checked > 0, "some keys were written after the bump");
            assertEquals("o", viaA.get("other:3"), "keys of no rule are untouched");

            // a hash-tag group stays on one slot: a multi-key command across the group is accepted
            for (int k = written; k < keys; k++) {
                assertNull(viaA.get(key(k)), key(k) + " was written only before the bump");
            }
            assertEquals("OK", viaA.mset("user:{t3}:2", "x", "user:{t3}:3", "y"));
            assertEquals(List.of("x", "y"), viaA.mget("user:{t3}:2", "user:{t3}:3"));
            noPhysicalNameLeaks(viaA, keys);
            JedisDataException refused = assertThrows(JedisDataException.class,
                    () -> viaA.set(RewrittenKey.encode(1, "x".getBytes(StandardCharsets.UTF_8)), "v".getBytes(StandardCharsets.UTF_8)));
            assertTrue(refused.getMessage().contains("reserved"), refused.getMessage());
        }
        physicalKeysLiveWithTheirLogicalSlot(keys);
    }

    private static void noPhysicalNameLeaks(Jedis viaA, int keys) {
        Set<String> fromKeys = new HashSet<>();
        for (byte[] k : viaA.keys("*".getBytes(StandardCharsets.UTF_8))) {
            assertFalse(RewrittenKey.reserved(k, 0, k.length), "KEYS leaked a physical name");
            assertTrue(fromKeys.add(new String(k, StandardCharsets.UTF_8)), "KEYS listed a name twice (an old generation)");
        }
        int visible = TAGS * 2 + 2; // the writer's keys, and the two set again after the bump
        assertEquals(visible + 10, fromKeys.size(), "KEYS: every visible key once: " + fromKeys);
        assertEquals(visible, viaA.keys("user:*").size(), "KEYS with the rule's pattern");
        Set<String> fromScan = new HashSet<>();
        byte[] cursor = "0".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 10_000; round++) {
            ScanResult<byte[]> page = viaA.scan(cursor, new ScanParams().count(7));
            for (byte[] k : page.getResult()) {
                assertFalse(RewrittenKey.reserved(k, 0, k.length), "SCAN leaked a physical name");
                fromScan.add(new String(k, StandardCharsets.UTF_8));
            }
            cursor = page.getCursorAsBytes();
            if (new String(cursor, StandardCharsets.UTF_8).equals("0")) {
                break;
            }
        }
        assertEquals(fromKeys, fromScan, "SCAN shows what KEYS shows");
        ScanResult<String> matched = viaA.scan("0", new ScanParams().match("other:*").count(1000));
        matched.getResult().forEach(k -> assertTrue(k.startsWith("other:"), k));
        for (int i = 0; i < 30; i++) {
            byte[] k = viaA.randomBinaryKey();
            assertTrue(k == null || !RewrittenKey.reserved(k, 0, k.length), "RANDOMKEY leaked a physical name");
        }
        // KEYS ... PIVOT/LIMIT pages by logical names, in byte order, one generation only
        List<String> sorted = fromKeys.stream().filter(k -> k.startsWith("user:")).sorted().toList();
        List<String> paged = new java.util.ArrayList<>();
        String pivot = null;
        for (int round = 0; round < 1_000; round++) {
            Object page = pivot == null ? viaA.sendCommand(redis.clients.jedis.Protocol.Command.KEYS, "user:*", "LIMIT", "7")
                    : viaA.sendCommand(redis.clients.jedis.Protocol.Command.KEYS, "user:*", "PIVOT", pivot, "LIMIT", "7");
            List<?> names = (List<?>) page;
            for (Object k : names) {
                byte[] name = (byte[]) k;
                assertFalse(RewrittenKey.reserved(name, 0, name.length), "KEYS PIVOT leaked a physical name");
                paged.add(new String(name, StandardCharsets.UTF_8));
            }
            if (names.size() < 7) {
                break;
            }
            pivot = paged.get(paged.size() - 1);
        }
        assertEquals(sorted, paged, "KEYS PIVOT/LIMIT pages through what KEYS shows");
    }

    /** Every rewritten key on the servers is on the one that owns its logical slot, each hash tag on one server. */
    private void physicalKeysLiveWithTheirLogicalSlot(int keys) {
        Topology t = f.admin.read("shop").value();
        Map<String, Set<Integer>> serversOfTag = new HashMap<>();
        int physical = 0;
        for (int i = 0; i < f.redis.size(); i++) {
            try (Jedis direct = f.redis.get(i).client()) {
                for (byte[] k : direct.keys("*".getBytes(StandardCharsets.UTF_8))) {
                    if (!RewrittenKey.reserved(k, 0, k.length)) {
                        continue;
                    }
                    physical++;
                    String logical = new String(RewrittenKey.logical(k), StandardCharsets.UTF_8);
                    assertEquals(i, f.ownerOf(t, logical), logical + " is stored on server " + i);
                    assertEquals(SlotHash.slot(RewrittenKey.logical(k)), SlotHash.slot(k));
                    serversOfTag.computeIfAbsent(logical.substring(0, logical.indexOf('}') + 1), x -> new HashSet<>()).add(i);
                }
            }
        }
        assertTrue(physical > keys, "positive control: the servers hold physical names of two generations (" + physical + ")");
        serversOfTag.forEach((tag, servers) -> assertEquals(1, servers.size(), tag + " is on servers " + servers));
        assertEquals(TAGS, serversOfTag.size());
        // positive control: the tags are spread, so "one server per tag" could fail
        Set<Integer> all = new HashSet<>();
        serversOfTag.values().forEach(all::addAll);
        assertTrue(all.size() > 1, "tags spread over servers " + all);
    }

    private static void awaitCount(AtomicLong counter, long at, String what) {
        ZkFixture.await(what, () -> counter.get() >= at);
    }

}
