package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.testing.RedisServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisProtocol;

/**
 * The harness's reply reader and normalisers on every RESP2 and RESP3 type: as a real
 * redis-server sends them ({@code DEBUG PROTOCOL}, which answers each type on demand), and as
 * bytes for what Redis 7.0 never sends (blob errors, nested attributes).
 */
class RawReplyTest {

    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();

    /** DEBUG PROTOCOL's argument, and the reply rendered in RESP3 and in RESP2. */
    private static final String[][] TYPES = {
        {"string", "\"Hello World\"", "\"Hello World\""},
        {"integer", ":12345", ":12345"},
        {"double", ",3.141", "\"3.141\""},
        {"bignum", "(1234567999999999999999999999999999999", "\"1234567999999999999999999999999999999\""},
        {"null", "null", "nil"},
        {"array", "[:0,:1,:2]", "[:0,:1,:2]"},
        {"set", "~[:0,:1,:2]", "[:0,:1,:2]"},
        {"map", "{:0:#f,:1:#t,:2:#f}", "[:0,:0,:1,:1,:2,:0]"},
        {"attrib", "|{\"key-popularity\":[\"key:123\",:90]}\"Some real reply following the attribute\"",
            "\"Some real reply following the attribute\""},
        {"verbatim", "=\"txt:This is a verbatim\\nstring\"", "\"This is a verbatim\\nstring\""},
        {"true", "#t", ":1"},
        {"false", "#f", ":0"},
    };

    @Test
    void everyTypeRedisSendsIsReadWholeInBothProtocols() throws IOException {
        for (RedisProtocol protocol : RedisProtocol.values()) {
            try (RawRespClient c = RawRespClient.connect(redis.port(), "redis", protocol)) {
                for (String[] t : TYPES) {
                    RawReply r = c.call("DEBUG", "PROTOCOL", t[0]);
                    assertEquals(t[protocol == RedisProtocol.RESP3 ? 1 : 2], r.render(), protocol + " " + t[0]);
                    assertRereads(r);
                    assertEquals("+PONG", c.call("PING").render(), "nothing left over after " + t[0]);
                }
            }
        }
    }

    @Test
    void pushFrameComesBeforeTheReply() {
        try (RawRespClient c = RawRespClient.connect(redis.port(), "redis", RedisProtocol.RESP3)) {
            assertEquals(">[\"server-cpu-usage\",:42]", c.call("DEBUG", "PROTOCOL", "push").render());
            assertEquals("\"Some real reply following the push reply\"", c.read().render());
        }
    }

    @Test
    void helloThreeIsCheckedAndItsIdLeftOut() {
        try (RawRespClient a = RawRespClient.connect(redis.port(), "a", RedisProtocol.RESP3);
             RawRespClient b = RawRespClient.connect(redis.port(), "b")) {
            RawReply three = a.call("HELLO", "3");
            RawReply two = b.call("HELLO", "2");
            assertEquals('%', three.type());
            assertEquals(":3", three.field("proto").render());
            assertEquals(":2", two.field("proto").render());
            assertEquals(":0", three.withoutClientId().field("id").render());
            assertEquals(":0", two.withoutClientId().field("id").render());
            assertEquals('*', two.withoutClientId().type());
            assertEquals("-NOPROTO unsupported protocol version", b.call("HELLO", "4").withoutClientId().render());
        }
    }

    @Test
    void blobErrorsAndAttributesInsideAggregates() throws IOException {
        RawReply error = parse("!21\r\nSYNTAX invalid syntax\r\n");
        assertTrue(error.isError());
        assertEquals("SYNTAX invalid syntax", error.text());
        RawReply nested = parse("*2\r\n|1\r\n+ttl\r\n:3\r\n$1\r\na\r\n_\r\n");
        assertEquals("[|{+ttl::3}\"a\",null]", nested.render());
        assertEquals("|{+ttl::3}\"a\"", nested.items().get(0).render());
        assertTrue(nested.items().get(1).isNull());
        assertRereads(nested);
        assertThrows(IOException.class, () -> parse("$?\r\n;4\r\nHell\r\n;0\r\n"), "streamed strings");
        assertThrows(IOException.class, () -> parse("$3\r\nabcd\r\n"), "a blob without its CRLF");
    }

    @Test
    void normalisersWorkOnResp3Aggregates() throws IOException {
        RawReply set = parse("~3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
        assertEquals("~[\"a\",\"b\",\"c\"]", set.sorted().render());
        RawReply map = parse("%2\r\n$1\r\ny\r\n:2\r\n$1\r\nx\r\n:1\r\n");
        assertEquals("{\"x\"::1,\"y\"::2}", map.sortedPairs().render());
        assertEquals(map.sortedPairs().render(), map.sorted().render(), "a map is unordered");
        assertRereads(map.sortedPairs());
        RawReply pairs = parse("*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n");
        assertEquals("[[\"a\",,1],[\"b\",,2]]", pairs.sortedPairs().render());
        RawReply deep = parse("*2\r\n%1\r\n$1\r\nk\r\n~2\r\n:2\r\n:1\r\n:0\r\n");
        assertEquals("[{\"k\":~[:1,:2]},:0]", deep.deepSorted().render(), "% sorts before :");
        RawReply idle = parse("%2\r\n$4\r\nidle\r\n:35\r\n$4\r\nmiss\r\n:-2\r\n");
        assertEquals("{\"idle\":+TTL>=0,\"miss\"::-2}", idle.ttlBucketed().render());
    }

    /** The raw bytes of {@code r} read again give the same reply, to the last byte. */
    private static void assertRereads(RawReply r) throws IOException {
        RawReply again = parse(new String(r.raw(), StandardCharsets.ISO_8859_1));
        assertArrayEquals(r.raw(), again.raw());
        assertEquals(r.render(), again.render());
    }

    /** One reply from {@code text}, which must hold exactly one. */
    private static RawReply parse(String text) throws IOException {
        InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
        RawReply r = RawRespClient.readReply(in, "bytes");
        assertEquals(-1, in.read(), "bytes left over after " + r.render());
        return r;
    }
}
