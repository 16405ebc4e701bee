package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.RewrittenKey;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * Commands that take other paths than a plain GET/SET, with a rule present: transactions (queued
 * in the proxy, sent at EXEC, whose reply names keys by their logical names), a blocking pop woken by another client, a script's KEYS[], RENAME
 * between a rewritten and a plain key, DUMP/RESTORE, and the rules of a proxy started after them.
 * Each result is checked on the servers too: the key must be stored under its physical name.
 */
class RewriteCommandsTest {

    @RegisterExtension
    final RewriteSetup setup = new RewriteSetup();

    @Test
    void everyPathSeesLogicalNamesAndStoresPhysicalOnes() throws Exception {
        ZkFixture.Proxy a = setup.start(2, 2, "r:*");
        ZkFixture f = setup.zk();
        ZkFixture.Proxy late = f.startProxy("shop"); // loads the rules before it serves
        try (Jedis c = ProxyCluster.client(a.port()); Jedis other = ProxyCluster.client(late.port())) {
            Transaction tx = c.multi();
            tx.set("r:{1}:a", "1");
            tx.incr("r:{1}:n");
            tx.get("r:{1}:a");
            assertEquals(List.of("OK", 1L, "1"), tx.exec());
            assertEquals("1", other.get("r:{1}:a"), "a proxy started after the rule uses it");
            Transaction listing = c.multi();
            listing.keys("*");
            redis.clients.jedis.exceptions.JedisDataException aborted = org.junit.jupiter.api.Assertions.assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, listing::exec, "EXEC would show stored names");
            assertTrue(aborted.getMessage().startsWith("EXECABORT"), aborted.getMessage());
            try (RespSocket m = RespSocket.connect(a.port())) {
                assertEquals("OK", m.call("MULTI"));
                for (String[] queued : new String[][] {{"RPUSH", "r:{m}:l", "x", "y"}, {"BLPOP", "r:{m}:l", "0"},
                        {"LMPOP", "1", "r:{m}:l", "LEFT"}, {"XADD", "r:{m}:s", "1-1", "f", "v"}, {"XREAD", "STREAMS", "r:{m}:s", "0"}}) {
                    assertEquals("QUEUED", m.call(queued));
                }
                List<?> exec = (List<?>) m.call("EXEC");
                assertEquals(2L, exec.get(0));
                assertEquals(List.of("r:{m}:l", "x"), exec.get(1), "BLPOP inside EXEC names the logical key");
                assertEquals(List.of("r:{m}:l", List.of("y")), exec.get(2), "LMPOP inside EXEC");
                assertEquals("1-1", exec.get(3));
                assertEquals("r:{m}:s", ((List<?>) ((List<?>) exec.get(4)).get(0)).get(0), "XREAD inside EXEC");
            }

            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> {
                try (Jedis blocked = ProxyCluster.client(a.port())) {
                    return blocked.blpop(20, "r:q");
                }
            });
            other.rpush("r:q", "job");
            assertEquals(List.of("r:q", "job"), popped.get(30, TimeUnit.SECONDS), "BLPOP names the logical key");

            c.rpush("r:l", "x");
            assertEquals("r:l", c.lmpop(redis.clients.jedis.args.ListDirection.LEFT, "r:l").getKey(), "LMPOP names the logical key");
            c.xadd("r:s", redis.clients.jedis.StreamEntryID.NEW_ENTRY, java.util.Map.of("f", "v"));
            assertEquals("r:s", c.xread(redis.clients.jedis.params.XReadParams.xReadParams(),
                    java.util.Map.of("r:s", new redis.clients.jedis.StreamEntryID())).get(0).getKey(), "XREAD (RESP2)");
            try (RespSocket resp3 = RespSocket.connect(a.port())) {
                resp3.call("HELLO", "3");
                Object streams = resp3.call("XREAD", "STREAMS", "r:s", "0");
                assertEquals(java.util.Set.of("r:s"), ((java.util.Map<?, ?>) streams).keySet(), "XREAD (RESP3)");
            }
            assertEquals("1", c.eval("return redis.call('GET', KEYS[1])", List.of("r:{1}:a"), List.of()));
            c.set("plain:{x}", "p");
            assertEquals("OK", c.rename("plain:{x}", "r:{x}"), "a plain key renamed into a rule's pattern, same slot");
            assertEquals("p", c.get("r:{x}"));
            assertNull(c.get("plain:{x}"));
            byte[] dump = c.dump("r:{x}");
            c.restore("r:y", 0, dump);
            assertEquals("p", c.get("r:y"));
            assertEquals("string", c.type("r:y"));
        }
        int physical = 0;
        for (int i = 0; i < f.redis.size(); i++) {
            try (Jedis direct = f.redis.get(i).client()) {
                for (byte[] k : direct.keys("*".getBytes(StandardCharsets.UTF_8))) {
                    String name = new String(RewrittenKey.logical(k), StandardCharsets.UTF_8);
                    assertTrue(name.startsWith("r:"), name);
                    assertTrue(RewrittenKey.reserved(k, 0, k.length), name + " is stored under its physical name");
                    physical++;
                }
            }
        }
        assertEquals(6, physical, "r:{1}:a, r:{1}:n, r:{x}, r:y, r:s, r:{m}:s (the lists were popped empty)");
    }
}
