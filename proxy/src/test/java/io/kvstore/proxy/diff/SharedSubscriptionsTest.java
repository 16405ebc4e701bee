package io.kvstore.proxy.diff;

import static io.kvstore.proxy.diff.RawRespClient.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.Group;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * One subscribed backend connection per (event loop, group), shared by the loop's subscribers
 * (PubSubHub): counted on the redis-servers themselves, with what each client still gets.
 */
class SharedSubscriptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    @Test
    void subscribedConnectionsAreLoopsTimesGroupsNotClients() {
        List<String> channels = List.of(cluster.keysOn(0, "shared.", 1).get(0), cluster.keysOn(1, "shared.", 1).get(0));
        Await.until("no subscriptions left by other tests", WAIT, () -> pubSubConnections().equals(List.of(0, 0)));
        List<RawRespClient> clients = new ArrayList<>();
        try {
            clients.add(subscribed("first", cluster.port(), RedisProtocol.RESP2, channels));
            // positive control: one client is on one loop, so one subscribed connection per group
            assertEquals(List.of(1, 1), pubSubConnections(), "one client: one connection per group");
            for (int i = 1; i < 6; i++) { // connections are dealt to the 2 loops in turn: both loops now hold some
                clients.add(subscribed("c" + i, cluster.port(), RedisProtocol.RESP2, channels));
            }
            assertEquals(List.of(2, 2), pubSubConnections(), "6 clients on 2 loops: 2 loops x 1 per group, not 6");
            try (Jedis pub = cluster.client()) {
                for (String ch : channels) {
                    pub.publish(ch, "hello");
                    pub.publish(ch, "end");
                }
            }
            List<String> expected = new ArrayList<>();
            for (String ch : channels) {
                expected.add("[message, " + ch + ", end]");
                expected.add("[message, " + ch + ", hello]");
            }
            expected.sort(null);
            for (RawRespClient c : clients) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < expected.size(); i++) {
                    got.add(texts(c.read())); // the groups' links are read in any order
                }
                got.sort(null);
                assertEquals(expected, got, c.name());
                c.send(command("PING", "last"));
                assertEquals("[pong, last]", texts(c.read()), c.name() + ": each message exactly once");
            }
        } finally {
            clients.forEach(RawRespClient::close);
        }
        Await.until("the last client's leaving unsubscribed the servers", WAIT, () -> pubSubConnections().equals(List.of(0, 0)));
    }

    @Test
    void theLastUnsubscribeUnsubscribesTheServerAndAClosedClientLeaves() {
        ProxyServer one = cluster.startProxy(o -> o.withThreads(1));
        String ch = cluster.keysOn(0, "last.", 1).get(0);
        try (RawRespClient a = subscribed("a", one.port(), RedisProtocol.RESP2, List.of(ch));
             RawRespClient b = subscribed("b", one.port(), RedisProtocol.RESP2, List.of(ch));
             RawRespClient c = subscribed("c", one.port(), RedisProtocol.RESP2, List.of(ch))) {
            assertEquals(1L, numSub(ch), "three clients of one loop: one subscription on the server");
            c.close(); // gone without unsubscribing
            a.send(command("UNSUBSCRIBE", ch));
            assertEquals("[unsubscribe, " + ch + ", 0]", texts(a.read()));
            assertEquals(1L, numSub(ch), "b still holds it");
            try (Jedis pub = cluster.client()) {
                pub.publish(ch, "to-b");
            }
            assertEquals("[message, " + ch + ", to-b]", texts(b.read()));
            a.send(command("PING", "after")); // a, subscribed to nothing, is out of subscribed state
            assertEquals("after", a.read().text(), "a got no message after its UNSUBSCRIBE confirmation");
            b.send(command("UNSUBSCRIBE"));
            assertEquals("[unsubscribe, " + ch + ", 0]", texts(b.read()));
            Await.until("the server's subscription is dropped with the last client", WAIT, () -> numSub(ch) == 0L);
        }
    }

    @Test
    void aClientClosingBeforeItsConfirmationLeavesNothingBehind() {
        ProxyServer one = cluster.startProxy(o -> o.withThreads(1));
        String ch = cluster.keysOn(1, "mid.", 1).get(0);
        try (RawRespClient gone = RawRespClient.connect(one.port(), "gone")) {
            gone.send(command("SUBSCRIBE", ch)); // and closed at once, its confirmation unread
        }
        try (RawRespClient stays = subscribed("stays", one.port(), RedisProtocol.RESP2, List.of(ch))) {
            try (Jedis pub = cluster.client()) {
                pub.publish(ch, "m");
            }
            assertEquals("[message, " + ch + ", m]", texts(stays.read()));
        }
        Await.until("nobody subscribed", WAIT, () -> numSub(ch) == 0L);
    }

    @Test
    void resp2AndResp3ClientsOfOneLoopEachGetTheirOwnFormat() {
        ProxyServer one = cluster.startProxy(o -> o.withThreads(1));
        String ch = cluster.keysOn(0, "fmt.", 1).get(0);
        List<List<String>> proxied = new ArrayList<>();
        List<List<String>> direct = new ArrayList<>();
        for (boolean viaProxy : new boolean[] {true, false}) {
            int port = viaProxy ? one.port() : plain.port();
            try (RawRespClient r2 = subscribed("resp2", port, RedisProtocol.RESP2, List.of(ch));
                 RawRespClient r3 = subscribed("resp3", port, RedisProtocol.RESP3, List.of(ch));
                 Jedis pub = viaProxy ? cluster.client() : plain.client()) {
                pub.publish(ch, "both");
                (viaProxy ? proxied : direct).add(List.of(r2.read().render(), r3.read().render()));
            }
        }
        assertEquals(direct, proxied, "each client in its own protocol, as from Redis");
        assertTrue(proxied.get(0).get(0).startsWith("["), proxied.toString()); // positive control on render: an array
        assertNotEquals(proxied.get(0).get(0), proxied.get(0).get(1), "RESP2 and RESP3 differ");
    }

    @Test
    void aChannelAndAPatternBothMatchingDeliverTwiceAsRedisDoes() {
        ProxyServer one = cluster.startProxy(o -> o.withThreads(1));
        String ch = cluster.keysOn(1, "ov.", 1).get(0);
        List<List<String>> sides = new ArrayList<>();
        for (boolean viaProxy : new boolean[] {true, false}) {
            int port = viaProxy ? one.port() : plain.port();
            List<String> got = new ArrayList<>();
            try (RawRespClient both = RawRespClient.connect(port, "both");
                 RawRespClient onlyPattern = RawRespClient.connect(port, "pattern");
                 Jedis pub = viaProxy ? cluster.client() : plain.client()) {
                both.send(command("SUBSCRIBE", ch));
                got.add(texts(both.read()));
                both.send(command("PSUBSCRIBE", "ov.*"));
                got.add(texts(both.read()));
                onlyPattern.send(command("PSUBSCRIBE", "ov.*"));
                got.add(texts(onlyPattern.read()));
                pub.publish(ch, "x");
                pub.publish(ch, "end");
                for (int i = 0; i < 4; i++) {
                    got.add("both " + texts(both.read()));
                }
                for (int i = 0; i < 2; i++) {
                    got.add("pattern " + texts(onlyPattern.read()));
                }
                both.send(command("PING"));
                got.add("both " + texts(both.read())); // nothing more was queued before the pong
            }
            sides.add(got);
        }
        assertEquals(sides.get(1), sides.get(0), "the proxy differs from a single Redis");
    }

    @Test
    void losingTheSharedLinkClosesEverySubscriberOfTheLoopOnIt() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            SlotMap map = SlotMap.evenlySpread(1, List.of(Group.of("g0", own.hostPort())));
            try (ProxyServer one = ProxyCluster.startProxy(map, o -> o.withThreads(1))) {
                RawRespClient a = subscribed("a", one.port(), RedisProtocol.RESP2, List.of("lost.a"));
                RawRespClient b = subscribed("b", one.port(), RedisProtocol.RESP3, List.of("lost.b"));
                try (a; b; RawRespClient plainClient = RawRespClient.connect(one.port(), "not subscribed")) {
                    assertEquals(1, subscribedConnections(own), "one link carries both clients' channels");
                    own.kill(); // as a restart would: the subscribers must resubscribe
                    assertClosed(a);
                    assertClosed(b);
                    // positive control: the same proxy keeps a client that held no subscription
                    assertEquals("PONG", plainClient.call("PING").text());
                }
            }
        }
    }

    @Test
    void aSubscriptionTheServerRefusesClosesItsClientOnlyAndNeverHangsIt() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            try (Jedis server = own.client()) { // the proxy logs in as the default user: it may use allowed.* only
                server.aclSetUser("default", "resetchannels", "&allowed.*");
            }
            SlotMap map = SlotMap.evenlySpread(1, List.of(Group.of("g0", own.hostPort())));
            try (ProxyServer one = ProxyCluster.startProxy(map, o -> o.withThreads(1))) {
                RawRespClient ok = subscribed("allowed", one.port(), RedisProtocol.RESP2, List.of("allowed.1"));
                RawRespClient refused = RawRespClient.connect(one.port(), "refused");
                try (ok; refused) {
                    refused.send(command("SUBSCRIBE", "secret"));
                    assertClosed(refused); // its confirmation can never come: closed, not left waiting
                    try (Jedis pub = ProxyCluster.client(one.port())) {
                        pub.publish("allowed.1", "still");
                    }
                    assertEquals("[message, allowed.1, still]", texts(ok.read()), "the link and its other client carry on");
                    assertEquals(1, subscribedConnections(own), "the same link");
                }
            }
        }
    }

    private static void assertClosed(RawRespClient c) {
        try {
            RawReply r = c.read();
            throw new AssertionError(c.name() + " still open, got " + r.render());
        } catch (java.io.UncheckedIOException e) {
            // closed by the proxy (end of stream), as the test wants; a read timeout is a failure
            assertTrue(e.getCause() instanceof java.io.EOFException, c.name() + ": " + e);
        }
    }

    /** A client subscribed to {@code channels}, its confirmations read. */
    private static RawRespClient subscribed(String name, int port, RedisProtocol protocol, List<String> channels) {
        RawRespClient c = RawRespClient.connect(port, name, protocol);
        c.send(command("SUBSCRIBE", channels));
        for (int i = 0; i < channels.size(); i++) {
            RawReply r = c.read();
            assertEquals("subscribe", r.items().get(0).text(), name + ": " + r.render());
        }
        return c;
    }

    /** Per shard, how many of its connections are subscribed to something. */
    private static List<Integer> pubSubConnections() {
        List<Integer> counts = new ArrayList<>();
        for (RedisServer shard : cluster.shards()) {
            counts.add(subscribedConnections(shard));
        }
        return counts;
    }

    /** How many of {@code server}'s connections are subscribed to something (CLIENT LIST's sub and psub). */
    private static int subscribedConnections(RedisServer server) {
        try (Jedis j = server.client()) {
            int n = 0;
            for (String line : j.clientList().split("\n")) {
                if (!line.isBlank() && (!line.contains(" sub=0 ") || !line.contains(" psub=0 "))) {
                    n++;
                }
            }
            return n;
        }
    }

    private static long numSub(String ch) {
        RedisServer shard = cluster.shard(cluster.shardOf(ch));
        try (Jedis j = shard.client()) {
            return j.pubsubNumSub(ch).get(ch);
        }
    }

    private static String texts(RawReply r) {
        List<String> parts = new ArrayList<>();
        for (RawReply item : r.items()) {
            parts.add(item.type() == ':' ? Long.toString(item.integer()) : item.text());
        }
        return parts.toString();
    }
}
