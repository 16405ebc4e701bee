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
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lettuce 6.5 doing its everyday work through kvstore over three shards: async pipelining with
 * manual flushing, MULTI/EXEC, Pub/Sub, scriptLoad/evalsha, blocking pops and SCAN. One client
 * (small thread pools) with Lettuce's default options for the class, and one forced to RESP2.
 *
 * <p>By default Lettuce sends {@code HELLO 3} on connect and falls back to RESP2 when the server
 * refuses it (as kvstore did before it spoke RESP3), so the tests on the default client run in
 * whatever was negotiated. The ones parameterized by protocol check it: in RESP3 that RESP3 was
 * really negotiated, and there Pub/Sub also sends ordinary commands on the subscribed connection,
 * which RESP3 allows.
 */
class LettuceClientTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static Lettuce lettuce;
    private static Lettuce lettuceResp2;

    @BeforeAll
    static void start() {
        lettuce = Lettuce.of(cluster.port());
        lettuceResp2 = Lettuce.of(cluster.port(), o -> o.protocolVersion(ProtocolVersion.RESP2));
    }

    @AfterAll
    static void stop() {
        for (Lettuce l : new Lettuce[] {lettuce, lettuceResp2}) {
            if (l != null) {
                l.close();
            }
        }
    }

    /** The client for {@code protocol}: RESP2 forced, or the default, which negotiates RESP3. */
    private static Lettuce client(ProtocolVersion protocol) {
        return protocol == ProtocolVersion.RESP2 ? lettuceResp2 : lettuce;
    }

    /** A connection of {@code protocol}'s client, checked to speak {@code protocol}. */
    private static StatefulRedisConnection<String, String> connect(ProtocolVersion protocol) {
        StatefulRedisConnection<String, String> conn = client(protocol).connect();
        assertSpeaks(protocol, conn);
        return conn;
    }

    private static void assertSpeaks(ProtocolVersion protocol, StatefulRedisConnection<String, String> conn) {
        ProtocolVersion negotiated = ((StatefulRedisConnectionImpl<String, String>) conn).getConnectionState()
                .getNegotiatedProtocolVersion();
        if (negotiated != protocol) {
            conn.close();
        }
        assertEquals(protocol, negotiated, "the protocol Lettuce negotiated");
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

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(ProtocolVersion.class)
    void stringsHashesAndScoresOverEveryGroup(ProtocolVersion protocol) {
        List<List<String>> keys = cluster.keysOnEachShard("lt:", 2);
        try (StatefulRedisConnection<String, String> conn = connect(protocol)) {
            RedisCommands<String, String> sync = conn.sync();
            Map<String, String> values = new LinkedHashMap<>();
            keys.forEach(onShard -> onShard.forEach(k -> values.put(k, "v-" + k)));
            assertEquals("OK", sync.mset(values));
            List<String> asked = new ArrayList<>(values.keySet());
            asked.add(2, "lt:missing");
            List<KeyValue<String, String>> got = sync.mget(asked.toArray(new String[0]));
            assertEquals(asked.size(), got.size());
            for (int i = 0; i < asked.size(); i++) {
                String k = asked.get(i);
                KeyValue<String, String> kv = got.get(i);
                assertEquals(k, kv.getKey());
                assertEquals(values.get(k), kv.getValueOrElse(null), "MGET " + k);
            }
            assertNull(sync.get("lt:none"));
            assertEquals(2.5, sync.incrbyfloat(keys.get(1).get(0) + ":f", 2.5));

            String hash = keys.get(2).get(0) + ":h";
            sync.hset(hash, Map.of("name", "ada", "lang", "en"));
            assertEquals(Map.of("name", "ada", "lang", "en"), sync.hgetall(hash));
            assertEquals(Map.of(), sync.hgetall("lt:nohash"));
            assertNull(sync.hget(hash, "none"));

            String set = keys.get(0).get(0) + ":s";
            sync.sadd(set, "a", "b");
            assertEquals(Set.of("a", "b"), sync.smembers(set));

            String board = keys.get(0).get(1) + ":board";
            sync.zadd(board, 10.5, "alice", 7.0, "bob", 12.25, "carol");
            assertEquals(10.5, sync.zscore(board, "alice"));
            assertEquals(13.0, sync.zincrby(board, 6, "bob"));
            assertEquals(List.of(ScoredValue.just(7.0 + 6, "bob"), ScoredValue.just(12.25, "carol")),
                    sync.zrevrangeWithScores(board, 0, 1));
            assertEquals(ScoredValue.just(10.5, "alice"), sync.zpopmin(board));
            assertNull(sync.zscore(board, "alice"));
            assertEquals(List.of(12.25), sync.zmscore(board, "carol"));
        }
    }

    /**
     * A subscriber on a channel of each shard and a pattern, two rounds of messages published by
     * another connection; in RESP3 the subscriber also sends ordinary commands on its subscribed
     * connection between the rounds.
     */
    @ParameterizedTest(name = "[{0}]")
    @EnumSource(ProtocolVersion.class)
    void pubSubChannelsAndPattern(ProtocolVersion protocol) throws Exception {
        List<String> channels = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            channels.add(cluster.keysOn(s, "lchan.", 1).get(0));
        }
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        CountDownLatch received = new CountDownLatch(channels.size() * 2 * 2);
        try (StatefulRedisPubSubConnection<String, String> sub = client(protocol).client().connectPubSub();
             StatefulRedisConnection<String, String> pub = connect(protocol)) {
            assertSpeaks(protocol, sub);
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
            RedisPubSubCommands<String, String> subscriber = sub.sync();
            subscriber.subscribe(channels.toArray(new String[0]));
            subscriber.psubscribe("lchan.*");
            Set<String> expected = new HashSet<>();
            for (int round = 0; round < 2; round++) {
                for (String ch : channels) {
                    assertEquals(2L, pub.sync().publish(ch, "hi" + round), "subscribers of " + ch);
                    expected.add(ch + "=hi" + round);
                    expected.add("lchan.*:" + ch + "=hi" + round);
                }
                if (protocol == ProtocolVersion.RESP3) {
                    commandsWhileSubscribed(subscriber, round);
                }
            }
            assertTrue(received.await(30, TimeUnit.SECONDS), "messages: " + got);
            assertEquals(expected, new HashSet<>(got));
            assertEquals(expected.size(), got.size(), "each message once");
            assertEquals(1L, pub.sync().pubsubNumpat());
            assertEquals(Set.copyOf(channels), Set.copyOf(pub.sync().pubsubChannels("lchan.*")));
        }
    }

    /**
     * Ordinary commands on a subscribed RESP3 connection. None answers a double: Lettuce 6.5's
     * decoder for subscribed connections (ResponseHeaderReplayOutput) rejects RESP3 doubles,
     * against Redis too.
     */
    private static void commandsWhileSubscribed(RedisPubSubCommands<String, String> subscriber, int round) {
        assertEquals("OK", subscriber.set("lsub:" + round, "r" + round));
        assertEquals("r" + round, subscriber.get("lsub:" + round));
        assertNull(subscriber.get("lsub:none"));
        subscriber.hset("lsub:h" + round, "round", Integer.toString(round));
        assertEquals(Map.of("round", Integer.toString(round)), subscriber.hgetall("lsub:h" + round));
        assertEquals(round + 1L, subscriber.incr("lsub:n"));
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
