package io.kvstore.admin.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What latency pacing probes through the proxies: one key per source group, on a slot it keeps; no server needed. */
class ProbeTargetsTest {

    private static Group group(String id, int port) {
        return new Group(id, new HostPort("127.0.0.1", port), List.of(), BackendAuth.NONE);
    }

    private static Topology fourWithNewGroup() {
        return Topology.create("c", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002), group("g3", 7003)))
                .withGroupAdded(group("g4", 7004));
    }

    private static int slot(String key) {
        return SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachSourceGroupGetsAKeyOnASlotItKeepsAndTheTargetNone() {
        Topology t = fourWithNewGroup();
        List<SlotRange> moves = Plans.rebalance(t);
        Map<String, String> keys = ProbeTargets.keysOfSources(t, moves);
        assertEquals(List.of("g1", "g2", "g3"), List.copyOf(keys.keySet()), "the sources, not the target g4: " + keys);
        keys.forEach((g, key) -> {
            int s = slot(key);
            assertEquals(g, t.owner(s), key);
            assertTrue(moves.stream().noneMatch(r -> s >= r.start() && s <= r.end()), key + " is on a moved slot " + s);
            assertTrue(key.startsWith(ProbeTargets.PREFIX), key);
        });
    }

    @Test
    void aGroupGivingAllItsSlotsAwayHasNoKey() {
        Topology t = fourWithNewGroup();
        List<SlotRange> g1Slots = Plans.reshard(t, "g1", "g4", t.slotCount("g1"));
        Map<String, String> keys = ProbeTargets.keysOfSources(t, g1Slots);
        assertTrue(keys.isEmpty(), "g1 keeps no slot to probe: " + keys);
        // Control: giving all but some away leaves it a key.
        assertFalse(ProbeTargets.keysOfSources(t, Plans.reshard(t, "g1", "g4", t.slotCount("g1") - 50)).isEmpty());
    }

    @Test
    void noProxyAnsweringMeansNoProxyProbe() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // free once closed: nothing listens there
        }
        assertNull(LatencyProbe.throughProxies(List.of(new HostPort("127.0.0.1", closed)), BackendAuth.NONE, List.of("k")));
        // Control: one that answers (a stand-in replying :0 to each command) is probed, the dead one left out.
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerZeros(fake), "fake-proxy");
            answering.setDaemon(true);
            answering.start();
            List<HostPort> proxies = List.of(new HostPort("127.0.0.1", closed), new HostPort("127.0.0.1", fake.getLocalPort()));
            try (LatencyProbe p = LatencyProbe.throughProxies(proxies, BackendAuth.NONE, List.of("k1", "k2"))) {
                assertEquals("proxies", p.via());
                assertEquals(2, p.targets());
                assertTrue(p.p99Micros(5, 1) > 0);
            }
        }
    }

    /** Accepts one connection and answers {@code :0} to every command on it until it closes. */
    private static void answerZeros(ServerSocket server) {
        try (Socket s = server.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = s.getOutputStream()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("*")) {
                    out.write(":0\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the test closed it
        }
    }
}
