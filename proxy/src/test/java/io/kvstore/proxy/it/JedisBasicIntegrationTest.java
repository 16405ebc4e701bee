package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/** Everyday commands through the proxy with Jedis, and the errors the proxy answers itself. */
class JedisBasicIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private Jedis jedis;

    @BeforeEach
    void connect() {
        jedis = cluster.client();
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    @Test
    void stringsAndCounters() {
        assertEquals("OK", jedis.set("basic:s", "hello"));
        assertEquals("hello", jedis.get("basic:s"));
        assertNull(jedis.get("basic:missing"));
        assertEquals(1, jedis.incr("basic:n"));
        assertEquals(2, jedis.incr("basic:n"));
        assertEquals("2", jedis.get("basic:n"));
        assertEquals(1, jedis.del("basic:s"));
        assertEquals(0, jedis.del("basic:s"));
        assertNull(jedis.get("basic:s"));
        try (Jedis direct = cluster.shard(cluster.shardOf("basic:n")).client()) {
            assertEquals("2", direct.get("basic:n"), "the key lives on the shard its slot maps to");
        }
    }

    @Test
    void hashesListsAndTypes() {
        assertEquals(1, jedis.hset("basic:h", "f1", "v1"));
        assertEquals(1, jedis.hset("basic:h", "f2", "v2"));
        assertEquals(0, jedis.hset("basic:h", "f1", "v1b"));
        assertEquals(Map.of("f1", "v1b", "f2", "v2"), jedis.hgetAll("basic:h"));
        assertEquals(3, jedis.lpush("basic:l", "a", "b", "c"));
        assertEquals(List.of("c", "b", "a"), jedis.lrange("basic:l", 0, -1));
        assertEquals("hash", jedis.type("basic:h"));
        assertEquals("list", jedis.type("basic:l"));
        assertEquals("none", jedis.type("basic:nothing"));
    }

    @Test
    void expireAndTtl() {
        jedis.set("basic:e", "v");
        assertEquals(-1, jedis.ttl("basic:e"));
        assertEquals(1, jedis.expire("basic:e", 100));
        long ttl = jedis.ttl("basic:e");
        assertTrue(ttl > 0 && ttl <= 100, "ttl " + ttl);
        assertEquals(-2, jedis.ttl("basic:gone"));
    }

    @Test
    void connectionCommandsAnsweredByTheProxy() {
        assertEquals("PONG", jedis.ping());
        assertEquals("hi there", jedis.echo("hi there"));
        assertEquals("OK", jedis.select(0));
        JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.select(1));
        assertTrue(e.getMessage().startsWith("ERR "), e.getMessage());
        assertEquals("OK", jedis.clientSetname("it-client"));
        assertEquals("it-client", jedis.clientGetname());
        assertEquals("PONG", jedis.ping(), "the connection still works after the errors");
    }

    @Test
    void helloAnswersInRespTwoAndRefusesUnknownVersions() { // HELLO 3: Resp3IntegrationTest, JedisClientTest
        JedisDataException e = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(Protocol.Command.HELLO, "4"));
        assertTrue(e.getMessage().startsWith("NOPROTO"), e.getMessage());
        List<?> hello = (List<?>) jedis.sendCommand(Protocol.Command.HELLO, "2");
        int proto = indexOf(hello, "proto");
        assertTrue(proto >= 0, "HELLO reply has a proto field: " + strings(hello));
        assertEquals(2L, hello.get(proto + 1));
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void unknownCommandAndArityErrorsReadLikeRedis() {
        ProtocolCommand foo = cmd("foo");
        String viaProxy = error(j -> j.sendCommand(foo, "a"), jedis);
        assertEquals("ERR unknown command 'foo', with args beginning with: 'a' ", viaProxy);
        try (Jedis direct = cluster.shard(0).client()) {
            assertEquals(error(j -> j.sendCommand(foo, "a"), direct), viaProxy, "same text as redis-server");
            assertEquals(error(j -> j.sendCommand(foo), direct), error(j -> j.sendCommand(foo), jedis), "no arguments");
            assertEquals(error(j -> j.sendCommand(foo, "a", "b", "c"), direct), error(j -> j.sendCommand(foo, "a", "b", "c"), jedis));
            assertEquals(error(j -> j.sendCommand(Protocol.Command.CLIENT, "GETNAME", "x"), direct),
                    error(j -> j.sendCommand(Protocol.Command.CLIENT, "GETNAME", "x"), jedis), "subcommand arity");
            assertEquals(error(j -> j.sendCommand(Protocol.Command.CLIENT, "NOSUCH"), direct),
                    error(j -> j.sendCommand(Protocol.Command.CLIENT, "NOSUCH"), jedis), "unknown subcommand");
            assertEquals(error(j -> j.sendCommand(Protocol.Command.GET), direct),
                    error(j -> j.sendCommand(Protocol.Command.GET), jedis));
            assertEquals(error(j -> j.sendCommand(Protocol.Command.SET, "k"), direct),
                    error(j -> j.sendCommand(Protocol.Command.SET, "k"), jedis));
        }
        assertEquals("ERR wrong number of arguments for 'get' command",
                error(j -> j.sendCommand(Protocol.Command.GET), jedis));
    }

    @Test
    void unknownCommandWithLongArgumentsIsClippedLikeRedis() {
        ProtocolCommand foo = cmd("foo");
        String longArg = "x".repeat(300);
        try (Jedis direct = cluster.shard(0).client()) {
            assertEquals(error(j -> j.sendCommand(foo, longArg, "b"), direct), error(j -> j.sendCommand(foo, longArg, "b"), jedis));
            assertEquals(error(j -> j.sendCommand(foo, "a", longArg), direct), error(j -> j.sendCommand(foo, "a", longArg), jedis));
            String longName = "y".repeat(200);
            assertEquals(error(j -> j.sendCommand(cmd(longName), "a"), direct), error(j -> j.sendCommand(cmd(longName), "a"), jedis));
        }
    }

    @Test
    void refusedCommandsNameTheProxy() {
        String cluster = error(j -> j.sendCommand(Protocol.Command.CLUSTER, "INFO"), jedis);
        assertTrue(cluster.startsWith("ERR ") && cluster.contains("kvstore"), cluster);
        String monitor = error(j -> j.sendCommand(Protocol.Command.MONITOR), jedis);
        assertTrue(monitor.startsWith("ERR ") && monitor.contains("kvstore"), monitor);
        String debug = error(j -> j.sendCommand(cmd("DEBUG"), "SLEEP", "0"), jedis);
        assertTrue(debug.startsWith("ERR ") && debug.contains("kvstore"), debug);
        assertEquals("PONG", jedis.ping());
    }

    /**
     * CURRENT BEHAVIOUR (multi-key split has landed): MGET of keys owned by different shards is
     * split per shard and the values come back in key order. Before the split it was refused
     * with CROSSSLOT; keys sharing a hash tag work either way.
     */
    @Test
    void mgetAcrossShardsIsSplitAndMergedInKeyOrder() {
        String a = cluster.keysOn(0, "mget:a", 1).get(0);
        String b = cluster.keysOn(1, "mget:b", 1).get(0);
        String c = cluster.keysOn(2, "mget:c", 1).get(0);
        assertNotEquals(cluster.shardOf(a), cluster.shardOf(b));
        jedis.set(a, "1");
        jedis.set(b, "2");
        jedis.set(c, "3");
        assertEquals(Arrays.asList("2", "1", null, "3", "1"), jedis.mget(b, a, "mget:missing", c, a));

        jedis.set("{t}a", "x");
        jedis.set("{t}b", "y");
        assertEquals(List.of("x", "y"), jedis.mget("{t}a", "{t}b"));
        assertEquals(Arrays.asList("x", null), jedis.mget("{t}a", "{t}missing"));
    }

    /**
     * CURRENT BEHAVIOUR: commands whose keys must live together (RENAME, SINTER, ...) are refused
     * with CROSSSLOT when the keys are owned by different shards, as Redis Cluster does.
     */
    @Test
    void sameGroupCommandAcrossShardsIsCrossSlot() {
        String a = cluster.keysOn(0, "rn:a", 1).get(0);
        String b = cluster.keysOn(1, "rn:b", 1).get(0);
        jedis.set(a, "1");
        String err = error(j -> j.rename(a, b), jedis);
        assertTrue(err.startsWith("CROSSSLOT"), err);
        assertEquals("1", jedis.get(a), "nothing was renamed");
        jedis.set("{rn}a", "v");
        assertEquals("OK", jedis.rename("{rn}a", "{rn}b"));
        assertEquals("v", jedis.get("{rn}b"));
    }

    private static ProtocolCommand cmd(String name) {
        return () -> name.getBytes(StandardCharsets.US_ASCII);
    }

    private static String error(Function<Jedis, ?> call, Jedis j) {
        return assertThrows(JedisDataException.class, () -> call.apply(j)).getMessage();
    }

    private static int indexOf(List<?> reply, String field) {
        for (int i = 0; i < reply.size(); i += 2) {
            if (reply.get(i) instanceof byte[] b && field.equals(new String(b, StandardCharsets.UTF_8))) {
                return i;
            }
        }
        return -1;
    }

    private static String strings(List<?> reply) {
        StringBuilder sb = new StringBuilder();
        for (Object o : reply) {
            sb.append(o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o)).append(' ');
        }
        return sb.toString();
    }
}
