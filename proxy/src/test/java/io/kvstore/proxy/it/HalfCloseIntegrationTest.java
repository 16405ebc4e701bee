package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that writes its commands and then shuts down its sending side (what {@code nc -N}
 * does) gets every reply, then the connection closes: what Redis and twemproxy do. Each case is
 * checked against a plain redis-server too, so the expected bytes are Redis's own.
 */
class HalfCloseIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    @Test
    void inlineCommandsThenHalfCloseAreAllAnswered() {
        byte[] input = "SET half:a 1\r\nGET half:a\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals("+OK\r\n$1\r\n1\r\n", sendThenHalfClose(plain.port(), input));
        assertEquals("+OK\r\n$1\r\n1\r\n", sendThenHalfClose(cluster.port(), input));
    }

    /**
     * Replies still on their way when the half-close arrives: a split MGET over every group, a
     * transaction on the client's dedicated connection (the commands after it are held until it
     * is answered), and a script run on one group.
     */
    @Test
    void requestsHeldOrInFlightAtTheHalfCloseAreAnswered() {
        List<List<String>> keys = cluster.keysOnEachShard("half:k", 1);
        String k0 = keys.get(0).get(0);
        String k1 = keys.get(1).get(0);
        String k2 = keys.get(2).get(0);
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(RespSocket.encode("MSET", k0, "a", k1, "b", k2, "c"));
        in.writeBytes(RespSocket.encode("MGET", k0, k1, k2, "half:none"));
        in.writeBytes(RespSocket.encode("MULTI"));
        in.writeBytes(RespSocket.encode("INCR", "half:n"));
        in.writeBytes(RespSocket.encode("EXEC"));
        in.writeBytes(RespSocket.encode("GET", k1));
        in.writeBytes(RespSocket.encode("EVAL", "return 7", "0"));
        for (int i = 0; i < 200; i++) {
            in.writeBytes(RespSocket.encode("INCR", "half:count"));
        }
        byte[] bytes = in.toByteArray();
        String expected = sendThenHalfClose(plain.port(), bytes);
        assertEquals(expected, sendThenHalfClose(cluster.port(), bytes));
    }

    /**
     * Redis drops a client that is blocked when it reads the end of its input: every command
     * before the blocking one is answered, the blocking one and those after it are not (and
     * nothing is popped for it). The proxy stops the wait on the backend the same way, also for a
     * blocking command with no timeout, which would otherwise keep the connection forever.
     */
    @Test
    void blockedCommandAtTheHalfCloseEndsTheConnectionAsInRedis() {
        for (String timeout : new String[] {"0", "30"}) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            in.writeBytes(RespSocket.encode("SET", "half:b", "1"));
            in.writeBytes(RespSocket.encode("BLPOP", "half:empty", timeout));
            in.writeBytes(RespSocket.encode("GET", "half:b"));
            byte[] bytes = in.toByteArray();
            assertEquals("+OK\r\n", sendThenHalfClose(plain.port(), bytes));
            assertEquals("+OK\r\n", sendThenHalfClose(cluster.port(), bytes));
        }
        try (RespSocket s = RespSocket.connect(cluster.port(), 10_000)) {
            s.command("RPUSH", "half:empty", "x");
            assertEquals(1L, s.read(), "the abandoned wait popped nothing");
        }
    }

    /** A blocking command that can be served at once is answered, and so is what follows it. */
    @Test
    void blockingCommandServedAtOnceIsAnswered() {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(RespSocket.encode("RPUSH", "half:full", "v"));
        in.writeBytes(RespSocket.encode("BLPOP", "half:full", "0"));
        in.writeBytes(RespSocket.encode("EXISTS", "half:full"));
        byte[] bytes = in.toByteArray();
        String expected = sendThenHalfClose(plain.port(), bytes);
        assertEquals(":1\r\n*2\r\n$9\r\nhalf:full\r\n$1\r\nv\r\n:0\r\n", expected);
        assertEquals(expected, sendThenHalfClose(cluster.port(), bytes));
    }

    @Test
    void halfCloseWithNothingSentClosesAtOnce() {
        assertEquals("", sendThenHalfClose(cluster.port(), new byte[0]));
    }

    /** Everything the server sends before closing, after {@code input} and a shutdown of our sending side. */
    private static String sendThenHalfClose(int port, byte[] input) {
        try (RespSocket s = RespSocket.connect(port, 10_000)) {
            s.send(input);
            s.shutdownOutput();
            return new String(s.readUntilEof(), StandardCharsets.UTF_8);
        }
    }
}
