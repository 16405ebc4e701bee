package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** When a channel's slot moves to another group, its subscribers move with it and keep receiving. */
class PubSubFollowsSlotTest {

    @Test
    void subscribersFollowTheirChannelToItsNewGroup() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2)) {
            String channel = cluster.keysOn(0, "news:", 1).get(0);
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onMessage(String ch, String message) {
                    got.add(message);
                }

                @Override
                public void onSubscribe(String ch, int count) {
                    subscribed.countDown();
                }
            };
            Thread t = new Thread(() -> {
                try (Jedis sub = cluster.client()) {
                    sub.subscribe(listener, channel);
                }
            });
            t.start();
            try (Jedis pub = cluster.client()) {
                assertTrue(subscribed.await(10, TimeUnit.SECONDS));
                assertEquals(1L, pub.publish(channel, "before"));
                assertEquals("before", got.poll(10, TimeUnit.SECONDS));

                SlotMap map = cluster.proxy().context().cluster().map();
                short[] owner = map.ownerArray();
                owner[SlotHash.slot(channel.getBytes(StandardCharsets.UTF_8))] = 1;
                SlotMap moved = SlotMap.of(map.epoch() + 1, map.groups(), owner);
                cluster.proxy().context().cluster().update(moved);
                cluster.proxy().mapChanged(moved);

                long receivers = Await.value("a subscriber on the new group", Duration.ofSeconds(10), () -> {
                    long n = pub.publish(channel, "probe");
                    return n == 0 ? null : n;
                });
                assertEquals(1L, receivers, "the subscriber now listens on the new group");
                assertEquals(1L, pub.publish(channel, "after"));
                String m;
                do {
                    m = got.poll(10, TimeUnit.SECONDS);
                } while ("probe".equals(m));
                assertEquals("after", m);
                assertEquals(0L, cluster.shard(0).client().pubsubNumSub(channel).get(channel), "the old group dropped it");
            } finally {
                listener.unsubscribe();
                t.join(10_000);
            }
        }
    }
}
