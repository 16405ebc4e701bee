package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.RewrittenKey;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.reshard.AdminCli;
import io.kvstore.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The keyspace walks (KEYS with PIVOT/LIMIT/WITHVALUES, PDEL) while the cluster has a rewrite
 * rule: they match, order and page by the client's names, never show a stored name, hide and keep
 * older generations, and delete each visible key under its stored name.
 */
class RewriteKeyspaceTest {

    @RegisterExtension
    final RewriteSetup setup = new RewriteSetup();

    @Test
    void keysPagesAndPdelSeeLogicalNamesOnly() throws Exception {
        ZkFixture.Proxy a = setup.start(2, 2, "r:*");
        ZkFixture f = setup.zk();
        try (RespSocket c = RespSocket.connect(a.port())) {
            for (String k : List.of("r:a", "r:b", "r:c", "r:d", "plain:1", "plain:2")) {
                assertEquals("OK", c.call("SET", k, "v-" + k));
            }
            assertEquals(List.of("r:a", "r:b"), c.call("KEYS", "r:*", "LIMIT", "2"));
            assertEquals(List.of("r:c", "r:d"), c.call("KEYS", "r:*", "PIVOT", "r:b", "LIMIT", "2"));
            assertEquals(List.of("r:d", "r:c"), c.call("KEYS", "*", "LIMIT", "2", "DESC"), "byte order of the logical names");
            assertEquals(List.of("plain:1", "plain:2", "r:a"), c.call("KEYS", "*", "LIMIT", "3"));
            assertEquals(List.of("r:a", "v-r:a", "r:b", "v-r:b"), c.call("KEYS", "r:[ab]", "LIMIT", "5", "WITHVALUES"),
                    "values read under the stored names");

            assertEquals(0, AdminCli.run(f, "rewrite", "bump", "shop", "r:*").exit());
            assertEquals(List.of(), c.call("KEYS", "r:*", "LIMIT", "10"), "the old generation is invisible");
            assertEquals("OK", c.call("SET", "r:new", "n"));
            assertEquals("OK", c.call("SET", "r:other", "o"));
            assertEquals(List.of("plain:1", "plain:2", "r:new", "r:other"), c.call("KEYS", "*", "LIMIT", "10"));

            assertEquals(1L, c.call("PDEL", "r:n*"), "the client's pattern, matched on logical names");
            assertEquals(List.of("r:other"), c.call("KEYS", "r:*", "LIMIT", "10"));
            assertEquals(1L, c.call("PDEL", "r:*"));
            assertEquals(List.of("plain:1", "plain:2"), c.call("KEYS", "*", "LIMIT", "10"));
            assertEquals(2L, c.call("PDEL", "plain:*"), "keys of no rule as before");
        }
        List<String> stored = new ArrayList<>();
        for (int i = 0; i < f.redis.size(); i++) {
            try (Jedis direct = f.redis.get(i).client()) {
                for (byte[] k : direct.keys("*".getBytes(StandardCharsets.UTF_8))) {
                    assertTrue(RewrittenKey.reserved(k, 0, k.length), "only old generations are left: " + new String(k));
                    assertEquals(1, RewrittenKey.generation(k), "PDEL left the invisible generation to reclaim");
                    stored.add(new String(RewrittenKey.logical(k), StandardCharsets.UTF_8));
                }
            }
        }
        stored.sort(null);
        assertEquals(List.of("r:a", "r:b", "r:c", "r:d"), stored);
    }

    /**
     * A rewritten request is dispatched a second time; at a sample rate below 1 the sampler used
     * to get a second chance there and count the stored name. Hundreds of requests at 1/2 make
     * that near certain, so this fails without the fix; the logical name must be counted.
     */
    @Test
    void hotKeysCountLogicalNames() throws Exception {
        ZkFixture.Proxy a = setup.start(1, 1, "r:*");
        ZkFixture f = setup.zk();
        io.kvstore.proxy.hotkeys.HotKeys hot = a.server().context().stats().hotKeys();
        try (RespSocket c = RespSocket.connect(a.port(), 10_000)) {
            // windows end every second: a round sends, the 1.1 s pause lets its window end, the next looks
            String info = Await.value("INFO hotkeys to show r:hot", Duration.ofSeconds(60), Duration.ofMillis(1100), () -> {
                hot.configure(0.5, 10, 3600); // no window ends while we look
                String shown = (String) c.call("INFO", "hotkeys");
                if (shown.contains("key=r:hot\r\n")) {
                    return shown;
                }
                hot.configure(0.5, 10, 1);
                for (int i = 0; i < 300; i++) {
                    c.call("GET", "r:hot");
                }
                return null;
            });
            assertTrue(!info.contains("kv1:"), "no stored name is counted: " + info);
        }
    }
}
