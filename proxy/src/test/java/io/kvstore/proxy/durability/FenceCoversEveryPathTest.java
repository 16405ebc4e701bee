package io.kvstore.proxy.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.route.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The fence (a data-store proxy that lost its ZooKeeper session, or is starting or stopping) holds
 * on every path that reaches stored data: each command below is refused with -TRYAGAIN while the
 * fence is up and reaches no backend, and runs normally once it is lifted (the positive control:
 * the same command through the same proxy, so a test that only saw refusals could not pass with
 * the fence doing nothing). The fence is raised on the proxy's {@link ClusterState} directly, the
 * state the ZooKeeper listener sets (SessionLossFenceTest covers that trigger).
 */
class FenceCoversEveryPathTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    private ClusterState state;
    private String k0;
    private String k1;
    private String k0b;
    private String counter;

    /** One path to the data: the command words, run through the proxy. */
    private record Path(String name, Function<Jedis, Object> run) {
    }

    @BeforeEach
    void setUp() {
        cluster.flushAll();
        state = cluster.proxy().context().cluster();
        k0 = cluster.keysOn(0, "f:", 1).get(0);
        k0b = "{" + k0 + "}b"; // k0's slot: one transaction may combine them
        counter = "{" + k0 + "}counter";
        k1 = cluster.keysOn(1, "f:", 1).get(0);
        for (int shard = 0; shard < 2; shard++) {
            try (Jedis direct = new Jedis(cluster.shard(shard).host(), cluster.shard(shard).port())) {
                direct.set(shard == 0 ? k0 : k1, "before");
                direct.set(shard == 0 ? k0b : k1 + "b", "before");
                direct.rpush("{l" + shard + "}list", "x");
            }
        }
    }

    @AfterEach
    void lift() {
        state.unfence();
    }

    private List<Path> dataPaths() {
        List<Path> paths = new ArrayList<>();
        paths.add(new Path("GET (one key)", j -> j.get(k0)));
        paths.add(new Path("SET (one key)", j -> j.set(k0, "during")));
        paths.add(new Path("MSET (split)", j -> j.mset(k0, "during", k1, "during")));
        paths.add(new Path("MGET (split)", j -> j.mget(k0, k1)));
        paths.add(new Path("DEL (split, summed)", j -> j.del(k0, k1)));
        paths.add(new Path("SUNIONSTORE (same group)", j -> raw(j, "SUNIONSTORE", "{s}dst", "{s}a", "{s}b")));
        paths.add(new Path("EVAL with a key", j -> j.eval("return redis.call('SET', KEYS[1], 'during')", 1, k0)));
        paths.add(new Path("EVAL with no key", j -> j.eval("return redis.call('DBSIZE')", 0)));
        paths.add(new Path("BLPOP (blocking)", j -> j.blpop(0.2, "{l0}list")));
        paths.add(new Path("WATCH", j -> j.watch(k0)));
        paths.add(new Path("KEYS (fan-out)", j -> j.keys("*")));
        paths.add(new Path("SCAN (fan-out)", j -> j.scan("0").getResult()));
        paths.add(new Path("DBSIZE (fan-out)", j -> j.dbSize()));
        paths.add(new Path("RANDOMKEY (fan-out)", j -> j.randomKey()));
        paths.add(new Path("FLUSHDB (fan-out)", j -> j.flushDB()));
        paths.add(new Path("PDEL (keyspace walk)", j -> raw(j, "PDEL", "nothing:*")));
        return paths;
    }

    @Test
    void everyPathToTheDataIsRefusedWhileFencedAndServedOnceLifted() {
        try (Jedis j = cluster.client()) {
            state.fence("test fence");
            for (Path p : dataPaths()) {
                JedisDataException e = refused(p, j);
                assertTrue(e.getMessage().startsWith("TRYAGAIN test fence"), p.name() + ": " + e.getMessage());
            }
            assertNothingChanged();
            assertEquals("PONG", j.ping(), "commands that touch no data still run");

            state.unfence();
            for (Path p : dataPaths()) {
                try {
                    var unused = p.run().apply(j); // served is all this checks; the reply differs per path
                } catch (JedisDataException e) {
                    fail(p.name() + " fails with the fence lifted: " + e.getMessage());
                }
            }
        }
    }

    @Test
    void commandsQueuedInMultiWhileFencedAbortTheTransaction() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            state.fence("test fence");
            assertEquals("OK", s.call("MULTI"));
            assertEquals(new RespSocket.Error("TRYAGAIN test fence"), s.call("SET", k0, "during"));
            assertEquals("QUEUED", s.call("PING"), "a command that touches no data is queued");
            assertEquals(new RespSocket.Error("EXECABORT Transaction discarded because of previous errors."), s.call("EXEC"));
            state.unfence();
            assertNothingChanged();
            assertEquals("PONG", s.call("PING"), "the connection is out of MULTI");

            assertEquals("OK", s.call("MULTI")); // positive control: the same transaction, unfenced
            assertEquals("QUEUED", s.call("SET", k0, "after"));
            assertEquals(List.of("OK"), s.call("EXEC"));
            assertEquals("after", direct(0).get(k0));
        }
    }

    /** The defect this test guards: commands queued before the fence went up used to be sent at EXEC. */
    @Test
    void aTransactionQueuedBeforeTheFenceIsDiscardedAtExec() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            assertEquals("OK", s.call("MULTI"));
            assertEquals("QUEUED", s.call("SET", k0, "during"));
            assertEquals("QUEUED", s.call("DEL", k0b));
            assertEquals("QUEUED", s.call("INCR", counter));
            state.fence("test fence");
            assertEquals(new RespSocket.Error("TRYAGAIN test fence"), s.call("EXEC"));
            state.unfence();
            assertNothingChanged();
            assertEquals("PONG", s.call("PING"), "the transaction was discarded, not left open");

            assertEquals("OK", s.call("MULTI")); // positive control: the same transaction, unfenced
            assertEquals("QUEUED", s.call("SET", k0, "after"));
            assertEquals("QUEUED", s.call("DEL", k0b));
            assertEquals("QUEUED", s.call("INCR", counter));
            assertEquals(List.of("OK", 1L, 1L), s.call("EXEC"));
            assertEquals("after", direct(0).get(k0));
            assertFalse(direct(0).exists(k0b));
        }
    }

    @Test
    void aWatchedTransactionFencedAtExecIsDiscardedAndUnwatched() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            assertEquals("OK", s.call("WATCH", k0));
            assertEquals("OK", s.call("MULTI"));
            assertEquals("QUEUED", s.call("SET", k0, "during"));
            state.fence("test fence");
            assertEquals(new RespSocket.Error("TRYAGAIN test fence"), s.call("EXEC"));
            state.unfence();
            assertNothingChanged();
            // A WATCH left on the dedicated connection would make this EXEC fail after the direct write.
            direct(0).set(k0, "changed behind the client's back");
            assertEquals("OK", s.call("MULTI"));
            assertEquals("QUEUED", s.call("SET", k0, "after"));
            assertEquals(List.of("OK"), s.call("EXEC"));
            assertEquals("after", direct(0).get(k0));
        }
    }

    private void assertNothingChanged() {
        assertEquals("before", direct(0).get(k0));
        assertEquals("before", direct(1).get(k1));
        assertEquals("before", direct(0).get(k0b));
        assertFalse(direct(0).exists(counter));
        assertEquals(1, direct(0).llen("{l0}list"));
    }

    private Jedis direct(int shard) {
        return new Jedis(cluster.shard(shard).host(), cluster.shard(shard).port());
    }

    private static JedisDataException refused(Path p, Jedis j) {
        try {
            Object reply = p.run().apply(j);
            throw new AssertionError(p.name() + " ran while fenced and answered " + reply);
        } catch (JedisDataException e) {
            return e;
        }
    }

    private static Object raw(Jedis j, String name, String... args) {
        ProtocolCommand cmd = () -> SafeEncoder.encode(name);
        return j.sendCommand(cmd, args);
    }
}
