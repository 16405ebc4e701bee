package io.kvstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @Test
    void parsesHostAndPort() {
        assertEquals(new HostPort("redis-1.example", 6379), HostPort.parse("redis-1.example:6379"));
        assertEquals(new HostPort("127.0.0.1", 7000), HostPort.parse("127.0.0.1:7000"));
    }

    @Test
    void trimsSurroundingBlanks() {
        assertEquals(new HostPort("localhost", 6380), HostPort.parse("  localhost:6380\t"));
    }

    @Test
    void parsesBracketedIpv6() {
        HostPort hp = HostPort.parse("[::1]:6379");
        assertEquals("::1", hp.host());
        assertEquals(6379, hp.port());
        assertEquals(new HostPort("fe80::1:2", 1), HostPort.parse("[fe80::1:2]:1"));
    }

    @Test
    void toStringRoundTrips() {
        for (String text : List.of("localhost:6379", "10.0.0.1:1", "[::1]:65535", "[fe80::a:b]:7001")) {
            assertEquals(text, HostPort.parse(text).toString());
            assertEquals(HostPort.parse(text), HostPort.parse(HostPort.parse(text).toString()));
        }
        assertEquals("[::1]:6379", new HostPort("::1", 6379).toString());
    }

    @Test
    void portBounds() {
        assertEquals(0, HostPort.parse("h:0").port()); // "any free port" for a listening address
        assertEquals(1, HostPort.parse("h:1").port());
        assertEquals(65535, HostPort.parse("h:65535").port());
        assertThrows(IllegalArgumentException.class, () -> new HostPort("h", 65536));
        assertThrows(IllegalArgumentException.class, () -> new HostPort("h", -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "localhost", "localhost:", ":6379", "host:port", "host:65536",
        "host:-1", "host:99999999999", "[::1]:", "[]:6379"})
    void rejectsBadText(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }

    @Test
    void rejectsNullAndEmptyHost() {
        assertThrows(NullPointerException.class, () -> new HostPort(null, 6379));
        assertThrows(IllegalArgumentException.class, () -> new HostPort("", 6379));
    }

    @Test
    void parseListSkipsBlanks() {
        assertEquals(List.of(new HostPort("a", 1), new HostPort("b", 2), new HostPort("::1", 3)),
                HostPort.parseList("a:1, ,b:2,,[::1]:3,"));
        assertEquals(List.of(), HostPort.parseList(""));
        assertEquals(List.of(), HostPort.parseList(" , "));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parseList("a:1,b"));
    }

    @Test
    void parseListIsImmutable() {
        List<HostPort> list = HostPort.parseList("a:1");
        assertThrows(UnsupportedOperationException.class, () -> list.add(new HostPort("b", 2)));
    }

    @Test
    void valueSemantics() {
        assertEquals(new HostPort("a", 1), new HostPort("a", 1));
        assertEquals(new HostPort("a", 1).hashCode(), new HostPort("a", 1).hashCode());
        assertNotEquals(new HostPort("a", 1), new HostPort("a", 2));
        assertNotEquals(new HostPort("a", 1), new HostPort("A", 1));
    }
}
