package io.kvstore.proxy.diff;

import static io.kvstore.proxy.diff.RawRespClient.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Pub/Sub through kvstore against a single Redis: subscribers on channels and patterns through
 * one proxy, publishers through that proxy and through a second proxy over the same shards. Every
 * message must arrive exactly once, in the same per-channel order as on a single Redis, and every
 * PUBLISH must return the count a single Redis returns. Keyspace notifications (enabled straight
 * on every shard) must reach a pattern subscriber of the proxy once per event, for keys on every
 * shard.
 *
 * <p>No timing: each side ends with one sentinel message per shard, published after everything
 * else; a shard delivers in order, so once a subscriber has every sentinel it has every message.
 *
 * <p>Every test runs in RESP2 and in RESP3 (subscribers and publishers alike), where messages
 * are push frames and a subscribed connection may send any command.
 */
class PubSubDifferentialTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    private static ProxyServer second;

    @BeforeAll
    static void start() {
        second = cluster.startProxy(UnaryOperator.identity()); // same SlotMap, closed with the cluster
    }

    @BeforeEach
    @AfterEach
    void reset() {
        for (int port : DiffRunner.serverPorts(cluster, plain)) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                j.flushAll();
                j.configSet("notify-keyspace-events", "");
            }
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(RedisProtocol.class)
    void channelsAndPatternsThroughTwoProxies(RedisProtocol protocol) {
        List<String> channels = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            channels.addAll(cluster.keysOn(shard, "news." + shard + ".", 2));
            ends.add(cluster.keysOn(shard, "end.", 1).get(0));
        }
        List<String> half = channels.subList(0, channels.size() / 2);
        List<String> s2channels = new ArrayList<>(half);
        s2channels.addAll(ends);
        List<String> s1channels = new ArrayList<>(channels);
        s1channels.addAll(ends);
        List<String> patterns = List.of("news.*", "news.1.*", "nomatch.*");

        Map<String, Object> plainSide;
        try (Subscriber s1 = Subscriber.start("plain-s1", plain.port(), protocol, s1channels, List.of());
             Subscriber s2 = Subscriber.start("plain-s2", plain.port(), protocol, s2channels, patterns);
             Jedis pub = ProxyCluster.client(plain.port(), protocol)) {
            plainSide = exercise(channels, ends, s1, s2, pub, pub, pub);
        }
        Map<String, Object> proxySide;
        try (Subscriber s1 = Subscriber.start("proxy-s1", cluster.port(), protocol, s1channels, List.of());
             Subscriber s2 = Subscriber.start("proxy-s2", second.port(), protocol, s2channels, patterns);
             Jedis viaFirst = ProxyCluster.client(cluster.port(), protocol);
             Jedis viaSecond = ProxyCluster.client(second.port(), protocol)) {
            proxySide = exercise(channels, ends, s1, s2, viaFirst, viaSecond, viaFirst);
        }
        for (String k : plainSide.keySet()) {
            assertEquals(plainSide.get(k), proxySide.get(k), k + ": the proxy differs from a single Redis");
        }
        @SuppressWarnings("unchecked")
        List<String> s2got = (List<String>) proxySide.get("s2 messages per channel");
        assertTrue(s2got.stream().anyMatch(m -> m.startsWith("pmessage news.1.*")),
                "the pattern matched some messages: " + s2got);
    }

    /**
     * Publishes 3 messages on every channel, alternating publishers, then the sentinels; returns
     * what both subscribers got (per-channel order, exactly-once counts), the PUBLISH counts, and
     * PUBSUB introspection, for comparison between the sides.
     */
    private static Map<String, Object> exercise(List<String> channels, List<String> ends, Subscriber s1, Subscriber s2,
                                                Jedis pubA, Jedis pubB, Jedis admin) {
        Map<String, Object> out = new TreeMap<>();
        out.put("numpat", admin.pubsubNumPat());
        out.put("numsub", new TreeMap<>(admin.pubsubNumSub(channels.toArray(new String[0]))));
        out.put("channels", new java.util.TreeSet<>(admin.pubsubChannels()));
        out.put("channels matching", new java.util.TreeSet<>(admin.pubsubChannels("news.1.*")));
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (String ch : channels) {
                counts.add((i % 2 == 0 ? pubA : pubB).publish(ch, "m" + i));
            }
        }
        counts.add(pubA.publish("nobody.listens", "x"));
        out.put("publish counts", counts);
        for (String end : ends) {
            out.put("publish " + end, pubB.publish(end, "end"));
        }
        for (String end : ends) {
            s1.awaitMessage("message " + end + " end");
            s2.awaitMessage("message " + end + " end");
        }
        out.put("s1 messages per channel", perChannel(s1.received()));
        out.put("s2 messages per channel", perChannel(s2.received()));
        out.put("s1 duplicates", duplicates(s1.received()));
        out.put("s2 duplicates", duplicates(s2.received()));
        return out;
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(RedisProtocol.class)
    void keyspaceNotificationsFromEveryShard(RedisProtocol protocol) {
        for (int port : DiffRunner.serverPorts(cluster, plain)) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                j.configSet("notify-keyspace-events", "KEA");
            }
        }
        List<String> keys = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            keys.addAll(cluster.keysOn(shard, "ks." + shard + ".", 2));
            ends.add(cluster.keysOn(shard, "ksend.", 1).get(0));
        }
        List<String> channels = List.of("__keyevent@0__:del", "__keyspace@0__:" + keys.get(0));
        List<String> patterns = List.of("__keyspace@0__:*");
        List<String> plainGot;
        try (Subscriber s = Subscriber.start("plain-ks", plain.port(), protocol, channels, patterns);
             Jedis j = ProxyCluster.client(plain.port(), protocol)) {
            plainGot = notifications(keys, ends, s, j);
        }
        List<String> proxyGot;
        try (Subscriber s = Subscriber.start("proxy-ks", cluster.port(), protocol, channels, patterns);
             Jedis j = ProxyCluster.client(second.port(), protocol)) {
            proxyGot = notifications(keys, ends, s, j);
        }
        assertEquals(plainGot, proxyGot, "keyspace notifications through the proxy differ from a single Redis");
        assertEquals(List.of(), duplicates(proxyGot), "each notification arrives once");
        for (String k : keys) {
            assertTrue(proxyGot.contains("pmessage __keyspace@0__:* __keyspace@0__:" + k + " set"), k + ": " + proxyGot);
        }
    }

    /**
     * SUBSCRIBE and an UNSUBSCRIBE without arguments in one write (PSUBSCRIBE and PUNSUBSCRIBE
     * too): the unsubscribe covers the subscription just asked for, whatever the backends have
     * confirmed by then, so nothing is left subscribed: PUBLISH counts nobody and GET runs.
     */
    @Test
    void unsubscribeAllInTheSameWriteAsSubscribe() {
        List<String> channels = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            channels.add(cluster.keysOn(shard, "pipe." + shard + ".", 1).get(0));
        }
        String[][] cases = {{"SUBSCRIBE", "UNSUBSCRIBE", channels.get(1)}, {"PSUBSCRIBE", "PUNSUBSCRIBE", "pipe.*"},
            {"SUBSCRIBE", "UNSUBSCRIBE", channels.get(2), channels.get(0), channels.get(1)}};
        Map<String, List<String>> bySide = new TreeMap<>();
        for (int port : new int[] {plain.port(), cluster.port()}) {
            String side = port == plain.port() ? "redis" : "proxy";
            List<String> seen = new ArrayList<>();
            try (RawRespClient c = RawRespClient.connect(port, side); Jedis pub = new Jedis("127.0.0.1", port)) {
                for (String[] k : cases) {
                    List<byte[]> subscribe = new ArrayList<>();
                    for (int i = 0; i < k.length; i++) {
                        if (i != 1) {
                            subscribe.add(k[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                    c.sendAll(List.of(subscribe, List.of(k[1].getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                    int names = k.length - 2;
                    for (int i = 0; i < names; i++) {
                        seen.add(c.read().render()); // SUBSCRIBE: one confirmation per name, in argument order
                    }
                    List<String> unsubscribed = new ArrayList<>();
                    for (int i = 0; i < names; i++) {
                        RawReply r = c.read();
                        unsubscribed.add(r.items().get(0).text() + " " + r.items().get(1).text());
                        seen.add(k[1] + " count " + r.items().get(2).integer()); // counts go down whatever the order
                    }
                    unsubscribed.sort(null);
                    seen.addAll(unsubscribed); // Redis lists them in no defined order
                    for (int i = 2; i < k.length; i++) {
                        seen.add("PUBLISH " + k[i] + ": " + pub.publish(k[i].replace("*", "x"), "m"));
                    }
                    seen.add("GET: " + c.call("GET", "k").render());
                }
            }
            bySide.put(side, seen);
        }
        assertEquals(bySide.get("redis"), bySide.get("proxy"), "pipelined SUBSCRIBE + UNSUBSCRIBE through the proxy");
    }

    private static List<String> notifications(List<String> keys, List<String> ends, Subscriber s, Jedis j) {
        for (String k : keys) {
            j.set(k, "v");
            j.lpush(k + ".list", "x");
            j.expire(k, 1000);
            j.del(k + ".list");
        }
        for (String e : ends) {
            j.set(e, "end");
        }
        for (String e : ends) {
            s.awaitMessage("pmessage __keyspace@0__:* __keyspace@0__:" + e + " set");
        }
        List<String> got = new ArrayList<>(s.received());
        got.sort(null);
        return got;
    }

    /**
     * One connection subscribed to a channel on each shard that keeps sending ordinary commands,
     * alone and pipelined, while another connection publishes: every frame it gets, replies and
     * messages, must be what a single Redis sends. In RESP3 the commands run and messages are
     * push frames; in RESP2 the commands are refused, as Redis refuses them, and the connection
     * stays subscribed. Each step reads a known number of frames (a missing one fails on the
     * read timeout), so nothing waits on time.
     */
    @ParameterizedTest(name = "[{0}]")
    @EnumSource(RedisProtocol.class)
    void ordinaryCommandsWhileSubscribed(RedisProtocol protocol) {
        List<String> channels = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            channels.add(cluster.keysOn(shard, "busy." + shard + ".", 1).get(0));
        }
        List<String> plainSide = subscribedSession(plain.port(), protocol, channels);
        List<String> proxySide = subscribedSession(cluster.port(), protocol, channels);
        assertEquals(String.join("\n", plainSide), String.join("\n", proxySide),
                "a subscribed " + protocol + " connection through the proxy differs from a single Redis");
    }

    private static List<String> subscribedSession(int port, RedisProtocol protocol, List<String> channels) {
        List<String> out = new ArrayList<>();
        boolean resp3 = protocol == RedisProtocol.RESP3;
        try (RawRespClient sub = RawRespClient.connect(port, "subscriber", protocol);
             RawRespClient pub = RawRespClient.connect(port, "publisher", protocol)) {
            step(out, sub, 3, false, List.of(command("SUBSCRIBE", channels)));
            for (String[] c : new String[][] {{"SET", "busy:k", "v"}, {"GET", "busy:k"}, {"HSET", "busy:h", "f", "v"},
                {"HGETALL", "busy:h"}, {"SMEMBERS", "busy:none"}, {"PING"}, {"PING", "hi"}}) {
                step(out, sub, 1, false, List.of(command(c)));
            }
            out.add("publish: " + pub.call("PUBLISH", channels.get(1), "m1").render());
            step(out, sub, 1, false, List.of());
            step(out, sub, 1, false, List.of(command("PSUBSCRIBE", "busy.*")));
            out.add("publish: " + pub.call("PUBLISH", channels.get(2), "m2").render());
            step(out, sub, 2, true, List.of()); // the message and the pattern message, from the same publish
            step(out, sub, 4, false, List.of(command("GET", "busy:k"), command("PING"),
                    command("ZSCORE", "busy:z", "m"), command("ECHO", "e")));
            // publishing to its own channel: the messages and the reply come over different paths, in no set order
            step(out, sub, resp3 ? 3 : 1, true, List.of(command("PUBLISH", channels.get(0), "self")));
            // named, so the counts come in a set order; then the last one by UNSUBSCRIBE without arguments
            step(out, sub, 2, false, List.of(command("UNSUBSCRIBE", channels.subList(0, 2))));
            step(out, sub, 1, false, List.of(command("UNSUBSCRIBE")));
            step(out, sub, 1, false, List.of(command("PUNSUBSCRIBE")));
            step(out, sub, 1, false, List.of(command("GET", "busy:k")));
        }
        return out;
    }

    /**
     * Sends {@code commands} in one write, reads {@code frames} frames, and records them (sorted
     * when their order is free).
     */
    private static void step(List<String> out, RawRespClient client, int frames, boolean anyOrder,
                             List<List<byte[]>> commands) {
        if (!commands.isEmpty()) {
            client.sendAll(commands);
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            got.add(client.read().render());
        }
        if (anyOrder) {
            got.sort(null);
        }
        String sent = commands.stream().map(c -> new String(c.get(0), StandardCharsets.UTF_8)).toList().toString();
        got.forEach(f -> out.add(sent + " -> " + f));
    }

    /** Messages grouped by channel, each channel's in arrival order (order across channels is not defined). */
    private static List<String> perChannel(List<String> received) {
        Map<String, List<String>> byChannel = new TreeMap<>();
        for (String m : received) {
            String[] parts = m.split(" ");
            String key = parts[0].equals("pmessage") ? parts[1] + " " + parts[2] : parts[1];
            byChannel.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
        }
        List<String> out = new ArrayList<>();
        byChannel.values().forEach(out::addAll);
        return out;
    }

    private static List<String> duplicates(List<String> received) {
        Map<String, Integer> n = new HashMap<>();
        received.forEach(m -> n.merge(m, 1, Integer::sum));
        return n.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }
}
