package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.resp.FramerLimits;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.session.ClientLimits;
import io.kvstore.testing.Await;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exact bytes over a plain socket: inline commands, frames cut at every odd place, malformed and
 * oversized input, the client limit, and QUIT. Proxies with small limits run beside the main one
 * on the same shards.
 */
class RawProtocolIntegrationTest {

    private static final long MB = 1024 * 1024;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static ProxyServer small;
    private static ProxyServer fewClients;

    @BeforeAll
    static void startProxies() {
        small = cluster.startProxy(o -> o.withClientLimits(
                new ClientLimits(new FramerLimits(1024, 100, 256), 4096, 10000, 512 * MB)));
        fewClients = cluster.startProxy(o -> o.withClientLimits(
                new ClientLimits(FramerLimits.DEFAULTS, 4096, 5, 512 * MB)));
    }

    @Test
    void inlineCommands() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            s.sendRaw("PING\r\n");
            assertEquals("PONG", s.read());
            s.sendRaw("SET raw:a \"b c\"\r\n");
            assertEquals("OK", s.read());
            s.sendRaw("GET raw:a\r\n");
            assertEquals("b c", s.read());
            s.sendRaw("SET raw:q 'it\\'s'\nGET raw:q\n"); // bare LF and single quotes, as redis-cli accepts
            assertEquals("OK", s.read());
            assertEquals("it's", s.read());
            s.sendRaw("  \r\nECHO \"tab\\there\"\r\n"); // a blank line is ignored
            assertEquals("tab\there", s.read());
            s.sendRaw("ping\r\n");
            assertEquals("PONG", s.read());
        }
    }

    @Test
    void pipelineSplitAtOddByteBoundaries() {
        int n = 300;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            all.writeBytes(i % 3 == 0 ? RespSocket.encode("SET", "split:" + i, "value with spaces " + i)
                    : i % 3 == 1 ? RespSocket.encode("GET", "split:" + (i - 1))
                    : RespSocket.encode("INCR", "split:counter"));
        }
        all.writeBytes("PING\r\n".getBytes(StandardCharsets.US_ASCII)); // inline after multibulk in one stream
        byte[] bytes = all.toByteArray();
        int[] sizes = {1, 2, 3, 5, 7, 11, 13, 17, 64, 1, 1, 250};
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            int at = 0;
            for (int chunk = 0; at < bytes.length; chunk++) {
                int len = Math.min(sizes[chunk % sizes.length], bytes.length - at);
                s.send(Arrays.copyOfRange(bytes, at, at + len));
                at += len;
                if (chunk % 7 == 0) {
                    Await.sleep(1); // let the proxy see a partial frame now and then
                }
            }
            long counter = 0;
            for (int i = 0; i < n; i++) {
                Object reply = s.read();
                Object expected = i % 3 == 0 ? "OK" : i % 3 == 1 ? "value with spaces " + (i - 1) : (Object) (++counter);
                assertEquals(expected, reply, "reply " + i);
            }
            assertEquals("PONG", s.read());
        }
    }

    @Test
    void largeValueSplitIntoManyWrites() {
        byte[] value = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        String v = new String(value, StandardCharsets.US_ASCII);
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            byte[] frame = RespSocket.encode("SET", "raw:big", v);
            for (int at = 0; at < frame.length; at += 100_003) {
                s.send(Arrays.copyOfRange(frame, at, Math.min(frame.length, at + 100_003)));
            }
            assertEquals("OK", s.read());
            assertEquals(v, s.call("GET", "raw:big"));
        }
    }

    @Test
    void malformedInputGetsProtocolErrorThenClose() {
        String[][] cases = {
            {"*1\r\n+PING\r\n", "ERR Protocol error: expected '$', got '+'"},
            {"*abc\r\n", "ERR Protocol error: invalid multibulk length"},
            {"*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length"},
            {"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"},
            {"SET a \"unbalanced\r\n", "ERR Protocol error: unbalanced quotes in request"},
        };
        try (RespSocket bystander = RespSocket.connect(cluster.port())) {
            assertEquals("PONG", bystander.call("PING"));
            for (String[] c : cases) {
                try (RespSocket s = RespSocket.connect(cluster.port(), 15_000)) {
                    s.sendRaw("SET raw:before 1\r\n" + c[0] + "PING\r\n"); // a good command before and after
                    assertEquals("OK", s.read(), "reply before the bad input " + c[0]);
                    assertEquals(new RespSocket.Error(c[1]), s.read(), "reply to " + c[0]);
                    byte[] rest = s.readUntilEof();
                    assertEquals(0, rest.length, "nothing after the error: " + new String(rest, StandardCharsets.ISO_8859_1));
                }
                assertEquals("OK", bystander.call("SET", "raw:bystander", c[1]), "another client keeps working");
                assertEquals(c[1], bystander.call("GET", "raw:bystander"));
            }
        }
    }

    @Test
    void protocolErrorWaitsForTheRepliesBeforeIt() {
        try (RespSocket s = RespSocket.connect(cluster.port(), 15_000)) {
            StringBuilder good = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                good.append("INCR raw:pe:").append(i % 7).append("\r\n"); // keys on several shards
            }
            s.sendRaw(good + "*1\r\n$4\r\nPING\r\nGARBAGE\r\n*x\r\n");
            long[] counts = new long[7];
            for (int i = 0; i < 50; i++) {
                assertEquals(++counts[i % 7], s.read(), "reply " + i);
            }
            assertEquals("PONG", s.read());
            Object unknown = s.read();
            assertTrue(unknown instanceof RespSocket.Error e && e.message().startsWith("ERR unknown command 'GARBAGE'"),
                    String.valueOf(unknown));
            assertEquals(new RespSocket.Error("ERR Protocol error: invalid multibulk length"), s.read());
            assertEquals(0, s.readUntilEof().length);
        }
    }

    @Test
    void clientLeavingMidPipelineDoesNotDisturbOthers() {
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < 20_000; i++) {
                b.writeBytes(RespSocket.encode("INCR", "raw:leave:" + i % 50));
            }
            s.send(b.toByteArray());
        } // closed without reading a single reply
        try (RespSocket other = RespSocket.connect(cluster.port())) {
            assertEquals("OK", other.call("SET", "raw:stay", "1"));
            assertEquals(2L, other.call("INCR", "raw:stay"));
            // the close is noticed asynchronously; only "other" is left
            Await.until("the proxy to forget the client that left", Duration.ofSeconds(10),
                    () -> cluster.proxy().context().connectedClients().get() == 1);
            assertEquals("PONG", other.call("PING"));
        }
    }

    @Test
    void oversizedBulkIsRefused() {
        try (RespSocket s = RespSocket.connect(small.port(), 15_000)) {
            String max = "x".repeat(1024);
            assertEquals("OK", s.call("SET", "raw:max", max), "a bulk of exactly the limit is accepted");
            assertEquals(max, s.call("GET", "raw:max"));
            s.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n");
            assertEquals(new RespSocket.Error("ERR Protocol error: invalid bulk length"), s.read());
            s.readUntilEof();
        }
    }

    @Test
    void tooManyArgumentsAreRefused() {
        try (RespSocket s = RespSocket.connect(small.port(), 15_000)) {
            List<String> words = new ArrayList<>(List.of("RPUSH", "raw:args"));
            for (int i = 0; words.size() < 100; i++) {
                words.add("e" + i);
            }
            assertEquals(98L, s.call(words.toArray(String[]::new)), "exactly the limit is accepted");
            s.sendRaw("*101\r\n");
            assertEquals(new RespSocket.Error("ERR Protocol error: invalid multibulk length"), s.read());
            s.readUntilEof();
        }
    }

    @Test
    void tooLongInlineIsRefused() {
        try (RespSocket s = RespSocket.connect(small.port(), 15_000)) {
            s.sendRaw("ECHO " + "y".repeat(200) + "\r\n");
            assertEquals("y".repeat(200), s.read());
            s.sendRaw("ECHO " + "z".repeat(300) + "\r\n");
            assertEquals(new RespSocket.Error("ERR Protocol error: too big inline request"), s.read());
            s.readUntilEof();
        }
        try (RespSocket s = RespSocket.connect(small.port(), 15_000)) {
            s.sendRaw("ECHO " + "w".repeat(400)); // no line end at all
            assertEquals(new RespSocket.Error("ERR Protocol error: too big inline request"), s.read());
            s.readUntilEof();
        }
    }

    @Test
    void clientsBeyondTheLimitAreRefused() {
        List<RespSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RespSocket s = RespSocket.connect(fewClients.port(), 15_000);
                open.add(s);
                assertEquals("PONG", s.call("PING"), "client " + (i + 1) + " of 5");
            }
            try (RespSocket sixth = RespSocket.connect(fewClients.port(), 15_000)) {
                assertEquals(new RespSocket.Error("ERR max number of clients reached"), sixth.read());
                sixth.readUntilEof();
            }
            assertEquals("PONG", open.get(0).call("PING"), "the admitted clients are unaffected");
            open.remove(4).close();
            // the proxy notices the close asynchronously
            Await.until("a client to be admitted again once one has left", Duration.ofSeconds(10), () -> {
                try (RespSocket again = RespSocket.connect(fewClients.port(), 15_000)) {
                    Object reply = again.call("PING");
                    if ("PONG".equals(reply)) {
                        return true;
                    }
                    assertEquals(new RespSocket.Error("ERR max number of clients reached"), reply);
                    return false;
                } catch (RuntimeException e) {
                    return false; // refused and closed while we were still writing
                }
            });
        } finally {
            open.forEach(RespSocket::close);
        }
    }

    @Test
    void quitRepliesOkThenCloses() {
        try (RespSocket s = RespSocket.connect(cluster.port(), 15_000)) {
            s.sendRaw("SET raw:quit 1\r\nQUIT\r\nSET raw:quit 2\r\n");
            assertEquals("OK", s.read());
            assertEquals("OK", s.read());
            assertEquals(0, s.readUntilEof().length, "nothing after QUIT's reply");
        }
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            assertEquals("1", s.call("GET", "raw:quit"), "the command after QUIT was not run");
        }
    }
}
