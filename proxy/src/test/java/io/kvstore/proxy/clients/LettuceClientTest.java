package io.kvstore.proxy.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.Lettuce;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lettuce 6.5 doing its everyday work through kvstore over three shards: async pipelining with
 * manual flushing, MULTI/EXEC, Pub/Sub, scriptLoad/evalsha, blocking pops and SCAN. One client
 * (small thread pools) for the class.
 */
class LettuceClientTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static Lettuce lettuce;

    @BeforeAll
    static void start() {
        lettuce = Lettuce.of(cluster.port());
    }

    @AfterAll
    static void stop() {
        if (lettuce != null) {
            lettuce.close();
        }
    }

    @BeforeEach
    void flush() {
        cluster.flushAll();
    }

    @Test
    void asyncPipelineFlushedOnce() throws Exception {
        try (StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisAsyncCommands<String, String> async = conn.async();
            conn.setAutoFlushCommands(false);
            List<RedisFuture<?>> all = new ArrayList<>();
            List<RedisFuture<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                all.add(async.set("lp:" + i, "v" + i));
                RedisFuture<Long> f = async.incr("lp:n:" + (i % 5));
                incrs.add(f);
                all.add(f);
            }
            RedisFuture<List<KeyValue<String, String>>> mget = async.mget("lp:0", "lp:250", "lp:499", "lp:none");
            RedisFuture<Long> exists = async.exists("lp:1", "lp:2", "lp:none");
            all.add(mget);
            all.add(exists);
            conn.flushCommands();
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(60), all.toArray(new RedisFuture[0])));
            conn.setAutoFlushCommands(true);
            for (int i = 0; i < 500; i++) {
                assertEquals(i / 5 + 1, incrs.get(i).get(), "reply " + i + " in order");
            }
            List<KeyValue<String, String>> values = mget.get();
            assertEquals("v0", values.get(0).getValue());
            assertEquals("v250", values.get(1).getValue());
            assertEquals("v499", values.get(2).getValue());
            assertFalse(values.get(3).hasValue());
            assertEquals(2L, exists.get());
        }
        for (int s = 0; s < 3; s++) {
            assertTrue(cluster.shard(s).dbSize() > 0, "shard " + s + " holds some of the keys");
        }
    }

    @Test
    void multiExecOnTaggedKeys() {
        try (StatefulRedisConnection<String, String> conn = lettuce.connect();
             StatefulRedisConnection<String, String> other = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals("OK", sync.multi());
            sync.set("{cart}items", "3");
            sync.incrby("{cart}items", 2);
            sync.rpush("{cart}log", "added");
            TransactionResult tx = sync.exec();
            assertFalse(tx.wasDiscarded());
            assertEquals(3, tx.size());
            assertEquals("OK", tx.get(0));
            assertEquals(5L, (Long) tx.get(1));
            assertEquals(1L, (Long) tx.get(2));

            assertEquals("OK", sync.watch("{cart}items"));
            other.sync().set("{cart}items", "0");
            sync.multi();
            sync.incr("{cart}items");
            assertTrue(sync.exec().wasDiscarded(), "a watched key changed");
            assertEquals("0", sync.get("{cart}items"));

            sync.multi();
            sync.set("{cart}items", "99");
            assertEquals("OK", sync.discard());
            assertEquals("0", sync.get("{cart}items"));
        }
    }

    /**
     * Lettuce's async API pipelines by nature: MULTI, SET, EXEC and a GET go out before any reply.
     * The GET must see the transaction's write, as on Redis.
     */
    @Test
    void asyncReadAfterExecSeesTheTransaction() throws Exception {
        try (StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisAsyncCommands<String, String> async = conn.async();
            List<String> stale = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String key = "{ltx}k" + i;
                async.multi();
                async.set(key, "v" + i);
                RedisFuture<TransactionResult> exec = async.exec();
                RedisFuture<String> get = async.get(key);
                assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), exec, get));
                if (!("v" + i).equals(get.get())) {
                    stale.add(key + " -> " + get.get());
                }
            }
            assertEquals(List.of(), stale, "reads pipelined after EXEC that missed its write");
        }
    }

    @Test
    void pubSubChannelsAndPattern() throws Exception {
        List<String> channels = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            channels.add(cluster.keysOn(s, "lchan.", 1).get(0));
        }
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        CountDownLatch received = new CountDownLatch(channels.size() * 2);
        try (StatefulRedisPubSubConnection<String, String> sub = lettuce.client().connectPubSub();
             StatefulRedisConnection<String, String> pub = lettuce.connect()) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add(channel + "=" + message);
                    received.countDown();
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    got.add(pattern + ":" + channel + "=" + message);
                    received.countDown();
                }
            });
            sub.sync().subscribe(channels.toArray(new String[0]));
            sub.sync().psubscribe("lchan.*");
            for (String ch : channels) {
                assertEquals(2L, pub.sync().publish(ch, "hi"), "subscribers of " + ch);
            }
            assertTrue(received.await(30, TimeUnit.SECONDS), "messages: " + got);
            Set<String> expected = new HashSet<>();
            for (String ch : channels) {
                expected.add(ch + "=hi");
                expected.add("lchan.*:" + ch + "=hi");
            }
            assertEquals(expected, new HashSet<>(got));
            assertEquals(expected.size(), got.size(), "each message once");
            assertEquals(1L, pub.sync().pubsubNumpat());
            assertEquals(Set.copyOf(channels), Set.copyOf(pub.sync().pubsubChannels("lchan.*")));
        }
    }

    @Test
    void scriptLoadAndEvalsha() {
        try (StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            String sha = sync.scriptLoad("return redis.call('INCRBY', KEYS[1], ARGV[1])");
            for (int s = 0; s < 3; s++) {
                String key = cluster.keysOn(s, "lcount:", 1).get(0);
                assertEquals(5L, (Long) sync.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, "5"));
                assertEquals(7L, (Long) sync.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, "2"));
            }
            assertEquals("ab", sync.eval("return ARGV[1] .. ARGV[2]", ScriptOutputType.VALUE, new String[0], "a", "b"));
            assertEquals(List.of(true, false), sync.scriptExists(sha, "0000000000000000000000000000000000000000"));
            RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                    () -> sync.evalsha("0000000000000000000000000000000000000000", ScriptOutputType.VALUE, "k"));
            assertTrue(e.getMessage().startsWith("NOSCRIPT"), e.getMessage());
        }
    }

    @Test
    void blockingPopWokenFromAnotherConnection() throws Exception {
        String queue = "lqueue";
        try (StatefulRedisConnection<String, String> blocker = lettuce.connect();
             StatefulRedisConnection<String, String> pusher = lettuce.connect();
             StatefulRedisConnection<String, String> third = lettuce.connect()) {
            RedisFuture<KeyValue<String, String>> popped = blocker.async().blpop(30, queue);
            ShardProbe.awaitBlockedOn(cluster, cluster.shardOf(queue), "blpop");
            List<RedisFuture<Long>> replies = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                replies.add(third.async().incr("lthird"));
            }
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), replies.toArray(new RedisFuture[0])),
                    "a third client is not held up by the blocked one");
            assertEquals(100L, replies.get(99).get());
            assertFalse(popped.isDone(), "BLPOP still waits: nothing pushed yet");
            assertEquals(1L, pusher.sync().rpush(queue, "work"));
            KeyValue<String, String> kv = popped.get(30, TimeUnit.SECONDS);
            assertEquals(KeyValue.just(queue, "work"), kv);
            assertNull(blocker.sync().blpop(0.1, "lqueue:empty"), "a timed-out BLPOP is null");
        }
    }

    @Test
    void scanIteratesEveryKey() {
        try (StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            Set<String> written = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                written.add("lscan:" + i);
                sync.set("lscan:" + i, "v");
            }
            Set<String> seen = new HashSet<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            for (int i = 0; i < 10_000 && !cursor.isFinished(); i++) {
                var page = sync.scan(cursor, ScanArgs.Builder.limit(10).match("lscan:*"));
                seen.addAll(page.getKeys());
                cursor = page;
            }
            assertTrue(cursor.isFinished());
            assertEquals(written, seen);
        }
    }
}
