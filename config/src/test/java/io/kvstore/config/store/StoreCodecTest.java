package io.kvstore.config.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreCodecTest {

    private static final Topology T = Topology.create("shop", ClusterMode.DATASTORE,
            List.of(TopologyTest.group("g1", 7001, 7101, 7102), TopologyTest.group("g2", 7002)))
            .withSlotsAssigned(List.of(new SlotRange(42, 42, "g2")));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void topologyRoundTrips() {
        byte[] json = TopologyCodec.encodeTopology(T, "w-1");
        assertEquals(T, TopologyCodec.decodeTopology("shop", json));
        assertEquals("w-1", TopologyCodec.writeId(json));
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"slots\":[[0,41,\"g1\"],[42,42,\"g2\"],[43,8191,\"g1\"],[8192,16383,\"g2\"]]"), text);
        assertTrue(text.contains("\"version\":1"), text);
        assertTrue(text.length() < 1000, "compact: " + text.length());
    }

    @Test
    void aHandWrittenVersionOneLayoutIsRead() {
        String v1 = """
                {"version":1,"cluster":"shop","mode":"cache","epoch":7,
                 "groups":[{"id":"a","master":"127.0.0.1:7001"},{"id":"b","master":"127.0.0.1:7002","replicas":[],"state":"failing-over"}],
                 "slots":[[0,9999,"a"],[10000,16383,"b"]],
                 "someFutureField":{"x":1}}""";
        Topology t = TopologyCodec.decodeTopology("shop", utf8(v1));
        assertEquals(7, t.epoch());
        assertEquals(ClusterMode.CACHE, t.mode());
        assertEquals(GroupState.ACTIVE, t.state("a"));
        assertEquals(GroupState.FAILING_OVER, t.state("b"));
        assertEquals(10000, t.slotCount("a"));
        assertNull(TopologyCodec.writeId(utf8(v1)));
    }

    private static String malformed(String json) {
        return assertThrows(StoreException.Malformed.class, () -> TopologyCodec.decodeTopology("shop", utf8(json))).getMessage();
    }

    @Test
    void everyKindOfDamageIsMalformedWithAReason() {
        assertTrue(malformed("").contains("is empty"));
        assertTrue(malformed("{\"version\":1,").contains("not valid JSON"));
        assertTrue(malformed("[1,2]").contains("not a JSON object"));
        assertTrue(malformed("{\"cluster\":\"shop\"}").contains("no format version"));
        assertTrue(malformed("{\"version\":2,\"cluster\":\"shop\"}").contains("format version 2, written by a newer kvstore"));
        String good = new String(TopologyCodec.encodeTopology(T, null), StandardCharsets.UTF_8);
        assertTrue(malformed(good.replace("\"shop\"", "\"other\"")).contains("names cluster 'other'"));
        assertTrue(malformed(good.replace("[42,42,\"g2\"],", "")).contains("slots 42-42 are not assigned"));
        assertTrue(malformed(good.replace("\"datastore\"", "\"weird\"")).contains("unknown cluster mode"));
        assertTrue(malformed(good.replace("\"epoch\":2", "\"epoch\":\"2\"")).contains("'epoch' must be an integer"));
        assertTrue(malformed(good.replace("\"epoch\":2", "\"epoch\":0")).contains("epoch must be >= 1"));
        assertTrue(malformed(good.replace("[42,42,\"g2\"]", "[42,42]")).contains("[start, end, \"group\"]"));
        assertTrue(malformed(good.replace("127.0.0.1:7002", "127.0.0.1:7001")).contains("listed twice"));
        assertTrue(malformed(good.replace("127.0.0.1:7002", "nope")).contains("expected host:port"));
    }

    @Test
    void proxyRecordsRoundTrip() {
        ProxyRecord p = new ProxyRecord("127.0.0.1:7000", new HostPort("127.0.0.1", 7000), 1000, 5, 2000, null, "0.1.0");
        assertEquals(p, ProxyCodec.decodeProxy(p.id(), ProxyCodec.encodeProxy(p)));
        ProxyRecord failing = p.applied(6, 3000, "topology unreadable");
        assertEquals(failing, ProxyCodec.decodeProxy(p.id(), ProxyCodec.encodeProxy(failing)));
        assertThrows(StoreException.Malformed.class, () -> ProxyCodec.decodeProxy("x", utf8("{\"version\":1}")));
    }

    @Test
    void claimsRoundTrip() {
        ClaimCodec.ServerClaim c = new ClaimCodec.ServerClaim("shop", "g1");
        assertEquals(c, ClaimCodec.decodeClaim("a", ClaimCodec.encodeClaim(c)));
    }
}
