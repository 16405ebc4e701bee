package io.kvstore.proxy.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

/**
 * Jedis 5 doing its everyday work through kvstore over three shards: pipelines, transactions,
 * Pub/Sub, scripting, blocking pops and SCAN. Each check also looks at the shards directly where
 * that shows the proxy routed by slot. The typed replies (strings, hashes, sets, sorted sets with
 * scores, MSET/MGET over the three groups) and Pub/Sub run in RESP2 (Jedis's default) and with
 * {@code RedisProtocol.RESP3} (HELLO 3 on connect: maps, sets, doubles, nulls, push messages).
 */
class JedisClientTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @BeforeEach
    void flush() {
        cluster.flushAll();
    }

    @Test
    void pipelineOverEveryShard() {
        try (Jedis jedis = cluster.client()) {
            Pipeline p = jedis.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            List<Response<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                sets.add(p.set("pipe:" + i, "v" + i));
                incrs.add(p.incr("pipe:n:" + (i % 7)));
            }
            Response<List<String>> mget = p.mget("pipe:0", "pipe:1", "pipe:2", "pipe:299", "pipe:none");
            Response<Long> del = p.del("pipe:0", "pipe:1", "pipe:2");
            Response<Long> exists = p.exists("pipe:0", "pipe:3", "pipe:4");
            Response<String> get = p.get("pipe:150");
            p.sync();
            sets.forEach(r -> assertEquals("OK", r.get()));
            for (int i = 0; i < 300; i++) {
                assertEquals(i / 7 + 1, incrs.get(i).get(), "INCR reply " + i + " in order");
            }
            assertEquals(Arrays.asList("v0", "v1", "v2", "v299", null), mget.get());
            assertEquals(3, del.get());
            assertEquals(2, exists.get());
            assertEquals("v150", get.get());
        }
        long onShards = 0;
        for (int s = 0; s < 3; s++) {
            long n = cluster.shard(s).dbSize();
            assertTrue(n > 0, "shard " + s + " holds some of the keys");
            onShards += n;
        }
        assertEquals(297 + 7, onShards);
        try (Jedis direct = cluster.shard(cluster.shardOf("pipe:42")).client()) {
            assertEquals("v42", direct.get("pipe:42"));
        }
    }

    @Test
    void transactionsOnTaggedKeys() {
        try (Jedis jedis = cluster.client(); Jedis other = cluster.client()) {
            jedis.set("{acct}alice", "100");
            jedis.set("{acct}bob", "0");
            Transaction tx = jedis.multi();
            Response<Long> a = tx.decrBy("{acct}alice", 30);
            Response<Long> b = tx.incrBy("{acct}bob", 30);
            Response<List<String>> both = tx.mget("{acct}alice", "{acct}bob");
            List<Object> results = tx.exec();
            assertEquals(3, results.size());
            assertEquals(70, a.get());
            assertEquals(30, b.get());
            assertEquals(List.of("70", "30"), both.get());

            jedis.watch("{acct}alice");
            other.set("{acct}alice", "0"); // a concurrent change: the transaction must not run
            Transaction lost = jedis.multi();
            lost.decrBy("{acct}alice", 10);
            assertNull(lost.exec(), "EXEC after a watched key changed");
            assertEquals("0", jedis.get("{acct}alice"));

            jedis.watch("{acct}bob");
            Transaction discarded = jedis.multi();
            discarded.set("{acct}bob", "never");
            assertEquals("OK", discarded.discard());
            assertEquals("30", jedis.get("{acct}bob"));

            String elsewhere = cluster.keysOn((cluster.shardOf("{acct}") + 1) % 3, "other:", 1).get(0);
            Transaction cross = jedis.multi();
            cross.set("{acct}alice", "1");
            cross.set(elsewhere, "1");
            JedisDataException e = assertThrows(JedisDataException.class, cross::exec);
            assertTrue(e.getMessage().contains("CROSSSLOT"), e.getMessage()); // as Redis Cluster answers EXEC
            assertEquals("0", jedis.get("{acct}alice"), "an aborted transaction changes nothing");
            assertEquals("PONG", jedis.ping(), "the connection is usable after the abort");
        }
    }

    @Test
    void repliesComeInResp3() {
        try (Jedis jedis = ProxyCluster.client(cluster.port(), RedisProtocol.RESP3)) {
            assertEquals(RedisProtocol.RESP3, jedis.getConnection().getRedisProtocol());
            jedis.zadd("jt:z", 1.5, "m");
            assertEquals(1.5, jedis.sendCommand(Command.ZSCORE, "jt:z", "m"), "a RESP3 double, not a bulk string");
            jedis.hset("jt:h", "f", "v");
            Object map = jedis.sendCommand(Command.HGETALL, "jt:h");
            assertInstanceOf(List.class, map, "Jedis reads a RESP3 map as a list of key-value pairs");
            assertEquals(1, ((List<?>) map).size());
            assertNull(jedis.sendCommand(Command.GET, "jt:none"));
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(RedisProtocol.class)
    void stringsHashesAndSortedSetsOverEveryGroup(RedisProtocol protocol) {
        List<List<String>> keys = cluster.keysOnEachShard("jt:", 2);
        try (Jedis jedis = ProxyCluster.client(cluster.port(), protocol)) {
            List<String> pairs = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (List<String> onShard : keys) {
                for (String k : onShard) {
                    pairs.add(k);
                    pairs.add("v-" + k);
                    all.add(k);
                }
            }
            assertEquals("OK", jedis.mset(pairs.toArray(new String[0])));
            all.add("jt:missing");
            List<String> expected = new ArrayList<>();
            all.forEach(k -> expected.add(k.equals("jt:missing") ? null : "v-" + k));
            assertEquals(expected, jedis.mget(all.toArray(new String[0])));
            String counter = keys.get(1).get(0) + ":n";
            assertEquals(5, jedis.incrBy(counter, 5));
            assertEquals(7.5, jedis.incrByFloat(counter, 2.5));
            assertNull(jedis.get("jt:none"));

            String hash = keys.get(2).get(0) + ":h";
            jedis.hset(hash, Map.of("name", "ada", "lang", "en"));
            assertEquals(Map.of("name", "ada", "lang", "en"), jedis.hgetAll(hash));
            assertEquals(Arrays.asList("ada", null), jedis.hmget(hash, "name", "none"));
            assertEquals(2.25, jedis.hincrByFloat(hash, "score", 2.25));
            assertEquals(Map.of(), jedis.hgetAll("jt:nohash"));

            String set = keys.get(0).get(0) + ":s";
            jedis.sadd(set, "a", "b", "c");
            assertEquals(Set.of("a", "b", "c"), jedis.smembers(set));

            String board = keys.get(0).get(1) + ":board";
            jedis.zadd(board, Map.of("alice", 10.5, "bob", 7.0, "carol", 12.25));
            assertEquals(10.5, jedis.zscore(board, "alice"));
            assertEquals(13.0, jedis.zincrby(board, 6, "bob"));
            assertEquals(Arrays.asList(12.25, null), jedis.zmscore(board, "carol", "nobody"));
            List<Tuple> top = jedis.zrevrangeWithScores(board, 0, 1);
            assertEquals(List.of(new Tuple("bob", 13.0), new Tuple("carol", 12.25)), top);
            assertEquals(new Tuple("alice", 10.5), jedis.zpopmin(board));
            assertNull(jedis.zscore(board, "alice"));
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(RedisProtocol.class)
    void pipelineOfTypedReplies(RedisProtocol protocol) {
        try (Jedis jedis = ProxyCluster.client(cluster.port(), protocol)) {
            Pipeline p = jedis.pipelined();
            List<Response<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                p.set("jtp:" + i, "v" + i);
                incrs.add(p.incr("jtp:n:" + (i % 3)));
            }
            p.hset("jtp:h", "f", "v");
            Response<Map<String, String>> hash = p.hgetAll("jtp:h");
            p.zadd("jtp:z", 2.5, "m");
            Response<Double> score = p.zscore("jtp:z", "m");
            Response<List<String>> mget = p.mget("jtp:0", "jtp:100", "jtp:none", "jtp:199");
            Response<Set<String>> members = p.smembers("jtp:none");
            p.sync();
            for (int i = 0; i < 200; i++) {
                assertEquals(i / 3 + 1, incrs.get(i).get(), "reply " + i + " in order");
            }
            assertEquals(Map.of("f", "v"), hash.get());
            assertEquals(2.5, score.get());
            assertEquals(Arrays.asList("v0", "v100", null, "v199"), mget.get());
            assertEquals(Set.of(), members.get());
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(RedisProtocol.class)
    void pubSubOnChannelsOfEveryShardAndAPattern(RedisProtocol protocol) throws Exception {
        List<String> channels = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            channels.add(cluster.keysOn(s, "jchan.", 1).get(0));
        }
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        CountDownLatch subscribed = new CountDownLatch(channels.size() + 1);
        CountDownLatch received = new CountDownLatch(channels.size() * 2);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                got.add(channel + "=" + message);
                received.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(pattern + ":" + channel + "=" + message);
                received.countDown();
            }

            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Jedis sub = ProxyCluster.client(cluster.port(), protocol);
        try {
            Future<?> loop = pool.submit(() -> sub.subscribe(listener, channels.toArray(new String[0])));
            awaitOrFail(subscribed, 1, "channel confirmations", loop);
            listener.psubscribe("jchan.*");
            awaitOrFail(subscribed, 0, "pattern confirmation", loop);
            try (Jedis pub = ProxyCluster.client(cluster.port(), protocol)) {
                for (String ch : channels) {
                    assertEquals(2, pub.publish(ch, "hello"), "one channel and one pattern subscriber for " + ch);
                }
                assertEquals(0, pub.publish("nobody", "x"));
            }
            awaitOrFail(received, 0, "messages", loop);
            Set<String> expected = new HashSet<>();
            for (String ch : channels) {
                expected.add(ch + "=hello");
                expected.add("jchan.*:" + ch + "=hello");
            }
            assertEquals(expected, new HashSet<>(got));
            assertEquals(expected.size(), got.size(), "each message once: " + got);
        } finally {
            // Ends the subscription by closing the connection (UNSUBSCRIBE ends it too since the fix
            // PubSubConfirmationsDifferentialTest checks; closing is what this test's clean-up needs).
            sub.close();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "subscriber thread stopped");
        }
        try (Jedis pub = cluster.client()) {
            Await.until("the proxy to drop the subscriptions of the closed client", Duration.ofSeconds(30),
                    () -> pub.publish(channels.get(0), "gone?") == 0);
            for (String ch : channels) {
                assertEquals(0, pub.publish(ch, "gone?"), "the proxy dropped the subscriptions of a closed client");
            }
        }
    }

    private static void awaitOrFail(CountDownLatch latch, long remaining, String what, Future<?> loop) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (latch.getCount() > remaining) {
            if (loop.isDone()) {
                loop.get(); // rethrows the subscriber's failure
                throw new AssertionError("subscription ended while waiting for " + what);
            }
            assertTrue(System.nanoTime() < deadline, "no " + what + " within 30 s");
            latch.await(50, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void scripting() {
        try (Jedis jedis = cluster.client()) {
            List<String> keys = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                keys.add(cluster.keysOn(s, "lua:", 1).get(0));
            }
            String script = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])";
            assertEquals(1L, jedis.eval(script, List.of("{lua}a", "{lua}n"), List.of("x")));
            assertEquals("x", jedis.get("{lua}a"));
            String sha = jedis.scriptLoad("return redis.call('GET', KEYS[1])");
            for (String k : keys) {
                jedis.set(k, "value of " + k);
            }
            for (String k : keys) {
                assertEquals("value of " + k, jedis.evalsha(sha, List.of(k), List.of()),
                        "SCRIPT LOAD reached the shard of " + k);
            }
            assertEquals(List.of(true, false), jedis.scriptExists(sha, "0000000000000000000000000000000000000000"));
            JedisDataException e = assertThrows(JedisDataException.class,
                    () -> jedis.eval("return 1", List.of(keys.get(0), keys.get(1)), List.of()));
            assertTrue(e.getMessage().startsWith("CROSSSLOT"), e.getMessage());
            assertEquals("OK", jedis.scriptFlush());
            assertFalse(jedis.scriptExists(sha));
        }
    }

    @Test
    void blockingPopWokenByAnotherClientWhileAPipelineFlows() throws Exception {
        String queue = "jobs:queue";
        int shard = cluster.shardOf(queue);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Jedis blocker = cluster.client(); Jedis pusher = cluster.client(); Jedis third = cluster.client()) {
            Future<KeyValue<String, String>> popped = pool.submit(() -> blocker.blpop(30.0, queue));
            ShardProbe.awaitBlockedOn(cluster, shard, "blpop");
            Pipeline p = third.pipelined();
            List<Response<Long>> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                replies.add(p.incr("third:" + (i % 10)));
            }
            p.sync();
            for (int i = 0; i < 200; i++) {
                assertEquals(i / 10 + 1, replies.get(i).get());
            }
            assertFalse(popped.isDone(), "BLPOP is still waiting: nothing was pushed yet");
            assertEquals(1, pusher.lpush(queue, "job-1"));
            KeyValue<String, String> kv = popped.get(30, TimeUnit.SECONDS);
            assertEquals(queue, kv.getKey());
            assertEquals("job-1", kv.getValue());
            assertEquals(0, pusher.llen(queue));
            assertEquals("PONG", blocker.ping(), "the blocking client goes on after its pop");
            assertNull(blocker.blpop(0.1, "jobs:empty"), "a timed-out BLPOP is nil");
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void scanCollectsEveryKey() {
        Set<String> written = new HashSet<>();
        try (Jedis jedis = cluster.client()) {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 500; i++) {
                String k = "scan:" + i;
                written.add(k);
                p.set(k, "v");
            }
            p.rpush("scanlist:a", "x");
            p.rpush("scanlist:b", "x");
            p.sync();
            assertEquals(written, scanAll(jedis, new ScanParams().count(10).match("scan:*"), null));
            assertEquals(Set.of("scanlist:a", "scanlist:b"), scanAll(jedis, new ScanParams().count(10).match("scan*"),
                    "list"), "SCAN with TYPE");
            Set<String> all = scanAll(jedis, new ScanParams().count(100), null);
            assertEquals(502, all.size());
            assertEquals(502, jedis.dbSize());
        }
    }

    /** Every key SCAN returns from cursor 0 until the cursor is 0 again (bounded). */
    private static Set<String> scanAll(Jedis jedis, ScanParams params, String type) {
        Set<String> out = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        for (int i = 0; i < 10_000; i++) {
            ScanResult<String> page = type == null ? jedis.scan(cursor, params) : jedis.scan(cursor, params, type);
            out.addAll(page.getResult());
            cursor = page.getCursor();
            if (cursor.equals(ScanParams.SCAN_POINTER_START)) {
                return out;
            }
        }
        throw new AssertionError("SCAN did not finish");
    }

    /**
     * A client that disconnects while blocked must not leave its BLPOP waiting on the shard: a
     * forgotten one would take the next element pushed, which no client would ever see.
     */
    @Test
    void abandonedBlockingPopDoesNotTakeLaterPushes() throws Exception {
        String queue = "abandoned:queue";
        int shard = cluster.shardOf(queue);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Jedis leaving = cluster.client();
        try {
            Future<?> popped = pool.submit(() -> leaving.blpop(0.0, queue));
            ShardProbe.awaitBlockedOn(cluster, shard, "blpop");
            leaving.close(); // the application goes away while blocked
            try {
                popped.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // Jedis reports the closed socket
            }
            ShardProbe.awaitNoneBlockedOn(cluster, shard, "blpop");
            try (Jedis pusher = cluster.client()) {
                assertEquals(1, pusher.rpush(queue, "kept"));
                assertEquals(List.of("kept"), pusher.lrange(queue, 0, -1), "no abandoned BLPOP took the element");
            }
        } finally {
            leaving.close();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void blockingPopTimeoutDoesNotBlockOtherClients() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Jedis a = cluster.client(); Jedis b = cluster.client()) {
            Future<KeyValue<String, String>> first = pool.submit(() -> a.blpop(0.2, "nothing:here"));
            assertEquals("OK", b.set("while:blocked", "1"));
            assertNull(first.get(30, TimeUnit.SECONDS));
            assertNotNull(b.get("while:blocked"));
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
