package io.kvstore.proxy.diff;

import static io.kvstore.proxy.diff.RawRespClient.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pub/Sub confirmations through the proxy compared with a single Redis, where the proxy once
 * differed: unsubscribing from everything leaves subscribed state, and the confirmation counts
 * follow the arguments' order, not the shards'. (Named "known bugs" while they failed.)
 */
class PubSubConfirmationsDifferentialTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    /** One channel on each shard, listed so that the argument order is not the shard order. */
    private static List<String> channels;

    @BeforeAll
    static void start() {
        channels = List.of(cluster.keysOn(2, "c", 1).get(0), cluster.keysOn(0, "c", 1).get(0),
                cluster.keysOn(1, "c", 1).get(0));
    }

    @Test
    void unsubscribingEverythingLeavesSubscribedState() {
        for (int port : new int[] {plain.port(), cluster.port()}) {
            String side = port == plain.port() ? "redis" : "proxy";
            try (RawRespClient c = RawRespClient.connect(port, side)) {
                for (boolean named : new boolean[] {true, false}) {
                    c.send(command("SUBSCRIBE", channels));
                    for (int i = 0; i < channels.size(); i++) {
                        c.read();
                    }
                    c.send(command("UNSUBSCRIBE", named ? channels : List.of()));
                    List<String> names = new ArrayList<>();
                    List<Long> counts = new ArrayList<>();
                    for (int i = 0; i < channels.size(); i++) {
                        RawReply r = c.read();
                        names.add(r.items().get(1).text());
                        counts.add(r.items().get(2).integer());
                    }
                    names.sort(null);
                    List<String> expected = new ArrayList<>(channels);
                    expected.sort(null);
                    String what = side + (named ? ", UNSUBSCRIBE with names" : ", UNSUBSCRIBE without arguments");
                    assertEquals(expected, names, what + ": every channel is unsubscribed");
                    assertEquals(List.of(2L, 1L, 0L), counts, what + ": counts go down to 0");
                    assertEquals("nil", c.call("GET", "k").render(), what + ": out of subscribed state");
                }
            }
        }
        try (Subscriber s = Subscriber.start("jedis", cluster.port(), channels, List.of("p.*"))) {
            s.unsubscribeAll();
            assertTrue(s.awaitEnd(Duration.ofSeconds(10)), "JedisPubSub.unsubscribe() + punsubscribe() end subscribe()");
        }
    }

    @Test
    void confirmationCountsFollowTheArguments() {
        List<List<String>> bySide = new ArrayList<>();
        for (int port : new int[] {plain.port(), cluster.port()}) {
            List<String> replies = new ArrayList<>();
            try (RawRespClient c = RawRespClient.connect(port, port == plain.port() ? "redis" : "proxy")) {
                c.send(command("SUBSCRIBE", channels));
                for (int i = 0; i < channels.size(); i++) {
                    replies.add(c.read().render());
                }
                c.send(command("UNSUBSCRIBE", channels));
                for (int i = 0; i < channels.size(); i++) {
                    replies.add(c.read().render());
                }
            }
            bySide.add(replies);
        }
        assertEquals(bySide.get(0), bySide.get(1), "confirmations through the proxy, as a single Redis sends them");
    }
}
