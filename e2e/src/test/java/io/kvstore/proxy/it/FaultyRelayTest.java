package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.chaos.FaultyRelay;
import io.kvstore.admin.chaos.FaultyRelay.Direction;
import io.kvstore.admin.chaos.RelayControl;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The relay itself, in front of a real redis-server: bytes arrive intact, and each fault is
 * observable. A fault's "nothing arrives" is checked as a read that times out, always next to a
 * control: the held reply does arrive once the fault is lifted (so a relay that lost it, or never
 * held it, fails).
 */
class FaultyRelayTest {

    private static final int SHORT_MS = 400;

    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();

    private FaultyRelay relay;
    private RespSocket s;

    @BeforeEach
    void start() {
        relay = FaultyRelay.start(HostPort.parse(redis.address()));
        // The first reply through a fresh relay may be slow on a loaded machine (class loading, JIT):
        // every read is patient; the short timeout only applies to reads a fault should hold back,
        // and each of those is paired with the held reply arriving once the fault is lifted.
        s = RespSocket.connect(relay.address().port(), 30_000);
        assertEquals("PONG", s.call("PING"), "control: the relay answers without a fault");
    }

    @AfterEach
    void stop() {
        s.close();
        relay.close();
    }

    private void assertNoReplyYet() {
        s.readTimeout(SHORT_MS);
        try {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, s::read);
            assertTrue(e.getCause() instanceof SocketTimeoutException, e.toString());
        } finally {
            s.readTimeout(30_000);
        }
    }

    private Object readPatiently() {
        s.readTimeout(30_000);
        return s.read();
    }

    @Test
    void forwardsBigValuesAndPipelinesIntact() {
        byte[] value = new byte[300_000];
        new Random(7).nextBytes(value);
        String v = new String(value, StandardCharsets.ISO_8859_1);
        try (Jedis j = new Jedis("127.0.0.1", relay.address().port())) {
            assertEquals("OK", j.set("big".getBytes(StandardCharsets.UTF_8), value));
            assertArrayEquals(value, j.get("big".getBytes(StandardCharsets.UTF_8)));
        }
        s.readTimeout(30_000);
        for (int i = 0; i < 500; i++) {
            s.command("SET", "p" + i, v.substring(i, i + 10));
        }
        for (int i = 0; i < 500; i++) {
            assertEquals("OK", s.read());
        }
        assertEquals(v.substring(499, 509), s.call("GET", "p499"));
        assertTrue(relay.forwarded(Direction.TO_SERVER) > 300_000 && relay.forwarded(Direction.TO_CLIENT) > 300_000);
    }

    @Test
    void latencyDelaysReplies() {
        relay.latency(3 * SHORT_MS);
        s.command("PING");
        assertNoReplyYet();
        assertEquals("PONG", readPatiently());
    }

    @Test
    void bandwidthThrottlesAndKeepsTheBytes() {
        relay.bandwidth(2_000);
        String value = "x".repeat(4_000); // two seconds at 2 KB/s
        s.command("SET", "slow", value);
        assertNoReplyYet();
        assertEquals("OK", readPatiently());
        relay.bandwidth(0);
        assertEquals(value, s.call("GET", "slow"));
    }

    @Test
    void aStallHoldsEverythingUntilItEnds() {
        relay.stall(true);
        long before = relay.forwarded(Direction.TO_SERVER);
        s.command("SET", "held", "1");
        assertNoReplyYet();
        assertEquals(before, relay.forwarded(Direction.TO_SERVER), "nothing reached the server");
        try (Jedis direct = redis.client()) {
            assertEquals(null, direct.get("held"));
        }
        relay.stall(false);
        assertEquals("OK", readPatiently(), "the held command went once the stall ended");
    }

    @Test
    void aBlackHoleDropsOneDirectionOnly() {
        relay.blackHole(Direction.TO_CLIENT, true);
        s.command("SET", "one-way", "1");
        assertNoReplyYet();
        try (Jedis direct = redis.client()) {
            assertEquals("1", direct.get("one-way"), "the request went through");
        }
        assertTrue(relay.dropped(Direction.TO_CLIENT) > 0);
        relay.heal();
        assertEquals("PONG", s.call("PING"), "the dropped reply is gone for good: the next reply is the next command's");

        relay.blackHole(Direction.TO_SERVER, true);
        s.command("SET", "lost", "1");
        assertNoReplyYet();
        relay.heal();
        assertEquals("PONG", s.call("PING"));
        try (Jedis direct = redis.client()) {
            assertEquals(null, direct.get("lost"), "the request never reached the server");
        }
    }

    @Test
    void resetClosesEveryConnectionAndNewOnesWork() {
        assertEquals(1, relay.connections());
        relay.resetAll();
        assertEquals(0, relay.connections());
        s.readTimeout(30_000);
        assertThrows(UncheckedIOException.class, () -> s.call("PING"), "the old connection is gone");
        try (RespSocket again = RespSocket.connect(relay.address().port(), 30_000)) {
            assertEquals("PONG", again.call("PING"));
        }
        assertEquals(2, relay.accepted());
    }

    /** What chaos.sh does: one line per change on the control port, while a client's traffic flows. */
    @Test
    void theControlPortSwitchesFaultsWhileTrafficFlows() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        int port = relay.address().port();
        try (RelayControl control = RelayControl.start(Map.of(port, relay), 0, log::add);
             Socket c = new Socket("127.0.0.1", control.port());
             BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(c.getOutputStream(), true, StandardCharsets.UTF_8)) {
            c.setSoTimeout(30_000);
            out.println(port + " stall maybe");
            assertTrue(in.readLine().startsWith("ERR stall: on or off"), "a bad line is refused");
            out.println("7 stall on");
            assertTrue(in.readLine().startsWith("ERR no relay listens on '7'"));
            assertEquals("PONG", s.call("PING"), "control: a refused line changed nothing");

            out.println(port + " stall on");
            assertTrue(in.readLine().startsWith("OK " + port + "->" + redis.address()));
            assertTrue(relay.faults().stalled());
            s.command("SET", "held-by-control", "1");
            assertNoReplyYet();
            out.println("all heal");
            assertTrue(in.readLine().startsWith("OK "));
            assertEquals("OK", readPatiently(), "the held command went once healed");

            out.println(port + " latency 250");
            assertTrue(in.readLine().contains("latencyMs=250"));
            out.println(port + " blackhole both on");
            assertTrue(in.readLine().contains("blackHoleToServer=true, blackHoleToClient=true"));
            out.println(port + " reset");
            assertTrue(in.readLine().contains("connections=0"));
            assertEquals(7, log.size(), "each line but status logged, refused ones too: " + log);
        }
    }
}
