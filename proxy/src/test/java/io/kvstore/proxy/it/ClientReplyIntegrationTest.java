package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CLIENT REPLY ON / OFF / SKIP through the proxy answers as Redis does: SKIP drops the next reply
 * only, OFF every reply until ON, and neither answers itself; the silenced commands still run.
 * Each sequence is pipelined and ends with a command whose reply is sent, so a reply that should
 * have been dropped shows up as the wrong value read.
 */
class ClientReplyIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(1);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    @Test
    void skipDropsOnlyTheNextReply() {
        List<Object> expected = List.of("a", "1");
        assertEquals(expected, skipSequence(plain.port()), "redis-server itself");
        assertEquals(expected, skipSequence(cluster.port()));
    }

    /** Nothing between OFF and ON is answered; ON answers OK itself (read while replies were off), and all after it is answered. */
    @Test
    void offDropsEveryReplyUntilOn() {
        List<Object> expected = List.of("OK", "d", "end", "2");
        assertEquals(expected, offSequence(plain.port()), "redis-server itself");
        assertEquals(expected, offSequence(cluster.port()));
    }

    private static List<Object> skipSequence(int port) {
        try (RespSocket s = RespSocket.connect(port, 10_000)) {
            s.command("CLIENT", "REPLY", "SKIP");
            s.command("SET", "clientreply:skip", "1");
            s.command("ECHO", "a");
            Object echo = s.read();
            return List.of(echo, s.call("GET", "clientreply:skip"));
        }
    }

    private static List<Object> offSequence(int port) {
        try (RespSocket s = RespSocket.connect(port, 10_000)) {
            s.command("CLIENT", "REPLY", "OFF");
            s.command("SET", "clientreply:off", "2");
            s.command("ECHO", "b");
            s.command("CLIENT", "REPLY", "ON");
            s.command("ECHO", "d");
            s.command("ECHO", "end");
            List<Object> read = new ArrayList<>();
            for (int i = 0; i < 4 && !read.contains("end"); i++) { // at most OK, d, end and one stray
                read.add(s.read());
            }
            read.add(s.call("GET", "clientreply:off"));
            return read;
        }
    }
}
