package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client-side caching through the proxy: a client that turns tracking on hears of every change
 * to a key it read, whichever of the three groups holds it, in the form one redis-server would
 * send (a RESP3 {@code invalidate} push, or a {@code __redis__:invalidate} message to the client
 * named by REDIRECT), and drops everything when the slot map moves slots. Each "not told" case is
 * proven by a later change that is told: the next push the client reads names that key.
 */
class ClientTrackingIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    private List<List<String>> keys;

    @BeforeEach
    void empty() {
        cluster.flushAll();
        awaitFlushInvalidations();
        keys = cluster.keysOnEachShard("ct:", 3);
    }

    /**
     * A flush makes every server push a null invalidation to the proxy's tracking connections,
     * which each loop's hub then sends to its tracking clients; it arrives whenever that loop reads
     * it, so a test's fresh client could get the previous flush's null as its first push. A server
     * pushes in order on one connection, so once a probe on a loop hears of a later write on every
     * group, that loop has handled the flush: one probe per loop (connections are spread over the
     * loops in turn, so four consecutive ones cover the proxy's two). A null that reaches a probe
     * first also makes the hub forget the probe's reads, so the probe then reads and waits again.
     */
    private void awaitFlushInvalidations() {
        List<String> marks = cluster.keysOnEachShard("ct-barrier:", 1).stream().map(g -> g.get(0)).toList();
        List<RespSocket> probes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                probes.add(resp3());
            }
            try (RespSocket w = RespSocket.connect(cluster.port())) {
                for (RespSocket p : probes) {
                    assertEquals("OK", p.call("CLIENT", "TRACKING", "on"));
                    awaitMarks(p, w, marks);
                }
            }
        } finally {
            probes.forEach(RespSocket::close);
        }
    }

    private static void awaitMarks(RespSocket probe, RespSocket writer, List<String> marks) {
        for (int attempt = 0; attempt < 5; attempt++) {
            for (String m : marks) {
                probe.call("GET", m);
            }
            for (String m : marks) {
                writer.call("SET", m, "x");
            }
            Set<Object> heard = new HashSet<>();
            boolean flushed = false;
            while (!flushed && heard.size() < marks.size()) {
                Object push = probe.read();
                if (push instanceof List<?> l && l.size() == 2 && l.get(1) instanceof List<?> named) {
                    heard.addAll(named);
                } else {
                    flushed = true; // the null: the hub forgot this probe's reads
                }
            }
            if (!flushed) {
                return;
            }
        }
        throw new AssertionError("a probe never heard of the marks' writes after 5 attempts");
    }

    private RespSocket resp3() {
        RespSocket s = RespSocket.connect(cluster.port());
        assertInstanceOf(java.util.Map.class, s.call("HELLO", "3"));
        return s;
    }

    private static List<Object> invalidate(Object... keys) {
        return List.of("invalidate", List.of(keys));
    }

    @Test
    void aReaderHearsOfChangesToWhatItReadOnEveryGroup() {
        try (RespSocket a = resp3(); RespSocket b = RespSocket.connect(cluster.port())) {
            assertEquals("OK", a.call("CLIENT", "TRACKING", "on"));
            for (List<String> group : keys) {
                assertEquals(null, a.call("GET", group.get(0)));
            }
            assertEquals(Arrays.asList(null, null, null), a.call("MGET", keys.get(0).get(1), keys.get(1).get(1), keys.get(2).get(1)));
            for (List<String> group : keys) {
                b.call("SET", group.get(0), "changed");
                assertEquals(invalidate(group.get(0)), assertInstanceOf(RespSocket.Push.class, a.read()));
            }
            b.call("SET", keys.get(1).get(1), "changed"); // read through the split MGET
            assertEquals(invalidate(keys.get(1).get(1)), a.read());
            b.call("SET", keys.get(2).get(0), "again"); // not read again since its invalidation: not tracked
            b.call("SET", keys.get(2).get(1), "changed");
            assertEquals(invalidate(keys.get(2).get(1)), a.read());
        }
    }

    @Test
    void noloopKeepsQuietAboutTheClientsOwnWrites() {
        String mine = keys.get(0).get(0);
        String theirs = keys.get(1).get(0);
        try (RespSocket a = resp3(); RespSocket b = RespSocket.connect(cluster.port())) {
            assertEquals("OK", a.call("CLIENT", "TRACKING", "on", "NOLOOP"));
            a.call("GET", mine);
            a.call("GET", theirs);
            assertEquals("OK", a.call("SET", mine, "by me"));
            b.call("SET", theirs, "by b");
            assertEquals(invalidate(theirs), a.read(), "the first push is about b's write, not a's own");
        }
    }

    @Test
    void optinTracksOnlyReadsAfterCachingYes() {
        String k1 = keys.get(0).get(0);
        String k2 = keys.get(2).get(0);
        try (RespSocket a = resp3(); RespSocket b = RespSocket.connect(cluster.port())) {
            assertEquals("OK", a.call("CLIENT", "TRACKING", "on", "OPTIN"));
            a.call("GET", k1);
            assertEquals("OK", a.call("CLIENT", "CACHING", "yes"));
            a.call("GET", k2);
            b.call("SET", k1, "x");
            b.call("SET", k2, "x");
            assertEquals(invalidate(k2), a.read());
        }
    }

    @Test
    void broadcastTellsOfEveryKeyWithAPrefixOnEveryGroup() {
        try (RespSocket a = resp3(); RespSocket b = RespSocket.connect(cluster.port())) {
            assertEquals("OK", a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:"));
            b.call("SET", "other:1", "x");
            for (int i = 0; i < 6; i++) { // six keys: the three groups all see some
                b.call("SET", "user:" + i, "x");
                assertEquals(invalidate("user:" + i), a.read());
            }
        }
    }

    @Test
    void aRespTwoClientRedirectsToASubscribedClient() {
        String k = keys.get(1).get(2);
        try (RespSocket sink = RespSocket.connect(cluster.port()); RespSocket a = RespSocket.connect(cluster.port());
             RespSocket b = RespSocket.connect(cluster.port())) {
            long sinkId = (Long) sink.call("CLIENT", "ID");
            assertEquals(List.of("subscribe", "__redis__:invalidate", 1L), sink.call("SUBSCRIBE", "__redis__:invalidate"));
            assertEquals("OK", a.call("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(sinkId)));
            assertEquals(sinkId, a.call("CLIENT", "GETREDIR"));
            a.call("GET", k);
            b.call("SET", k, "x");
            assertEquals(List.of("message", "__redis__:invalidate", List.of(k)), sink.read());
            b.call("FLUSHALL");
            assertEquals(Arrays.asList("message", "__redis__:invalidate", null), sink.read(), "a flush is a null");
        }
    }

    @Test
    void aMapThatMovesSlotsFlushesTheCache() {
        try (RespSocket a = resp3(); RespSocket b = RespSocket.connect(cluster.port())) {
            assertEquals("OK", a.call("CLIENT", "TRACKING", "on"));
            a.call("GET", keys.get(0).get(0));
            SlotMap before = cluster.proxy().context().cluster().map();
            short[] owner = before.ownerArray();
            short[] moved = owner.clone();
            moved[0] = (short) ((owner[0] + 1) % before.groups().size());
            SlotMap next = SlotMap.of(before.epoch() + 1, before.groups(), moved);
            try {
                cluster.proxy().context().cluster().update(next);
                cluster.proxy().mapChanged(next);
                assertEquals(Arrays.asList("invalidate", null), a.read(), "slot 0 moved: everything cached may be stale");
            } finally {
                SlotMap back = SlotMap.of(next.epoch() + 1, before.groups(), owner);
                cluster.proxy().context().cluster().update(back);
                cluster.proxy().mapChanged(back);
            }
            assertEquals(Arrays.asList("invalidate", null), a.read(), "and back");
            a.call("GET", keys.get(2).get(0)); // tracking goes on after a flush
            b.call("SET", keys.get(2).get(0), "x");
            assertEquals(invalidate(keys.get(2).get(0)), a.read());
        }
    }

    @Test
    void commandsAndErrorsAnswerAsRedisDoes() {
        String[][] script = {
            {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "GETREDIR"}, {"CLIENT", "CACHING", "yes"},
            {"CLIENT", "TRACKING", "on", "PREFIX", "a"}, {"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"},
            {"CLIENT", "TRACKING", "on", "BCAST", "OPTIN"}, {"CLIENT", "TRACKING", "on", "REDIRECT", "987654"},
            {"CLIENT", "TRACKING", "maybe"}, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"},
            {"CLIENT", "TRACKING", "on", "OPTIN"}, {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "CACHING", "no"},
            {"CLIENT", "CACHING", "yes"}, {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "TRACKING", "on", "OPTOUT"},
            {"CLIENT", "TRACKING", "on", "BCAST"}, {"CLIENT", "GETREDIR"}, {"CLIENT", "TRACKING", "off"},
            {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "NOLOOP"}, {"CLIENT", "TRACKINGINFO"},
            {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "xy"}, {"CLIENT", "TRACKING", "off"}, {"CLIENT", "GETREDIR"},
        };
        for (boolean resp3 : new boolean[] {false, true}) {
            try (RespSocket proxy = RespSocket.connect(cluster.port()); RespSocket redis = RespSocket.connect(plain.port())) {
                if (resp3) {
                    proxy.call("HELLO", "3");
                    redis.call("HELLO", "3");
                }
                for (String[] c : script) {
                    assertEquals(redis.call(c), proxy.call(c), String.join(" ", c) + (resp3 ? " (RESP3)" : ""));
                }
            }
        }
    }
}
