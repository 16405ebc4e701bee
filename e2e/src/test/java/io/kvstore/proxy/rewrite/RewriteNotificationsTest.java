package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.RewrittenKey;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.reshard.AdminCli;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What servers push about keys, under a rewrite rule: keyspace notifications (an exact keyspace
 * channel of a rewritten key, keyevent payloads) and client-side caching invalidations name the
 * client's keys; an older generation dying by its TTL is not announced; a bump moves an exact
 * subscription to the new generation and makes tracking clients drop their caches.
 */
class RewriteNotificationsTest {

    @RegisterExtension
    final RewriteSetup setup = new RewriteSetup();

    @Test
    void notificationsAndInvalidationsNameLogicalKeys() throws Exception {
        ZkFixture.Proxy a = setup.start(2, 2, "r:*");
        ZkFixture f = setup.zk();
        for (int i = 0; i < f.redis.size(); i++) {
            try (Jedis direct = f.redis.get(i).client()) {
                direct.configSet("notify-keyspace-events", "KEA");
            }
        }
        try (RespSocket sub = RespSocket.connect(a.port(), 10_000); RespSocket c = RespSocket.connect(a.port(), 10_000);
             RespSocket cache = RespSocket.connect(a.port(), 10_000)) {
            sub.call("SUBSCRIBE", "__keyspace@0__:r:a");
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            cache.call("HELLO", "3");
            assertEquals("OK", cache.call("CLIENT", "TRACKING", "on"));

            assertEquals("OK", c.call("SET", "r:a", "1"));
            assertEquals(List.of("message", "__keyspace@0__:r:a", "set"), sub.read(), "the exact channel, by the client's name");
            assertEquals(List.of("pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "r:a"), sub.read(), "keyevent payload");

            assertEquals("1", cache.call("GET", "r:a"));
            assertEquals("OK", c.call("SET", "r:a", "2"));
            skip(sub, 2);
            assertEquals(List.of("invalidate", List.of("r:a")), cache.read(), "the invalidation names the client's key");

            assertEquals("OK", c.call("SET", "r:gone", "x", "PX", "300"));
            skip(sub, 2);
            awaitExpired(physical(1, "r:gone"));
            assertEquals(List.of("pmessage", "__keyevent@0__:*", "__keyevent@0__:expired", "r:gone"), sub.read(),
                    "positive control: a visible key's expiry is announced");

            assertEquals("OK", c.call("SET", "r:old", "x", "PX", "1500"));
            skip(sub, 2);
            assertEquals("x", cache.call("GET", "r:old"));
            assertEquals(0, AdminCli.run(f, "rewrite", "bump", "shop", "r:*").exit());
            List<?> flush = (List<?>) cache.read();
            assertEquals("invalidate", flush.get(0));
            assertNull(flush.get(1), "a bump drops every tracking client's cache (a null key list)");
            assertNull(cache.call("GET", "r:old"), "the bump made it invisible");
            awaitExpired(physical(1, "r:old")); // the old generation dies by its TTL: nobody hears of it

            assertEquals("OK", c.call("SET", "r:a", "3"));
            List<Object> seen = new ArrayList<>();
            seen.add(sub.read());
            seen.add(sub.read());
            assertEquals(List.of(List.of("message", "__keyspace@0__:r:a", "set"),
                    List.of("pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "r:a")), seen,
                    "after the bump: no word of the old generation's expiry, and the exact channel follows the new one");
            assertFalse(seen.toString().contains("kv1"), seen.toString());
        }
    }

    private static void skip(RespSocket sub, int messages) {
        for (int i = 0; i < messages; i++) {
            Object m = sub.read();
            assertTrue(m instanceof List && !m.toString().contains("\ufffd"), "a stored name was shown: " + m);
        }
    }

    private static byte[] physical(long generation, String key) {
        return RewrittenKey.encode(generation, key.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits (bounded) until no server holds {@code key}; a lookup expires it at once if it is due. */
    private void awaitExpired(byte[] key) {
        ZkFixture.await("the key to expire", () -> {
            for (int i = 0; i < setup.zk().redis.size(); i++) {
                try (Jedis direct = setup.zk().redis.get(i).client()) {
                    if (direct.exists(key)) {
                        return false;
                    }
                }
            }
            return true;
        });
    }
}
