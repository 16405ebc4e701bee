package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.chaos.FaultyRelay;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.it.support.RelayRouting;
import io.kvstore.proxy.server.ProxyOptions;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A network partition between one proxy and one master, made with a {@link FaultyRelay} that
 * stalls both directions (sockets stay open, nothing passes: a partition as TCP sees it). The
 * partitioned proxy reaches that master only through the relay, for its clients and for its
 * health checks, which it reports under the master's real address; the other proxy, which leads
 * the failover controller, sees the real network.
 *
 * <p>With the default quorum (a majority of two proxies) nothing is failed over; the partitioned
 * proxy's clients of that group get errors after {@code --backend-stall-ms}, never a hang, while
 * its clients of the other group and the other proxy's clients of the cut-off group are served
 * throughout. The positive control is the same partition with a quorum of one: the partitioned
 * proxy's vote alone fails the master over, so its vote does reach the controller, and the
 * absence of a failover in the first test is the quorum's doing.
 */
class PartitionedProxyTest {

    private static final long DOWN_AFTER_MS = 2_000;
    private static final int STALL_MS = 1_000;

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    /** The bench: two groups with a replica each, proxy {@code cut} reaching g1's master through {@code relay}. */
    private record Bench(RedisNode master, RedisNode replica, FaultyRelay relay, FailoverFixture.Proxy cut,
                         FailoverFixture.Proxy other, Topology before) implements AutoCloseable {
        @Override
        public void close() {
            relay.close();
        }
    }

    private Bench bench(int quorum) throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 1);
        RedisNode master = groups.get(0).get(0);
        FaultyRelay relay = FaultyRelay.start(master.address());
        try {
            UnaryOperator<HostPort> dial = RelayRouting.dialer(relay);
            UnaryOperator<ProxyOptions> stall = FailoverFixture.stall(STALL_MS);
            // The partitioned proxy runs no controller: the controller's own commands to the servers
            // do not go through the relay, and the one that decides must see the real network.
            FailoverFixture.Proxy cut = f.startProxy("ds", new HealthOptions(true, 200, 500, DOWN_AFTER_MS, quorum, false, true),
                    RelayRouting.probingThrough(HealthMonitor.pinger(null, 500), dial),
                    o -> {
                        ProxyOptions s = stall.apply(o);
                        return s.withBackendOptions(s.backendOptions().dialing(dial));
                    });
            FailoverFixture.Proxy other = f.startProxy("ds", new HealthOptions(true, 200, 500, DOWN_AFTER_MS, quorum, true, true),
                    null, stall);
            f.awaitHealthViews("ds");
            assertEquals(other.id(), f.leader().id());
            assertTrue(relay.accepted() > 0, "the partitioned proxy reaches the master through the relay");
            return new Bench(master, groups.get(0).get(1), relay, cut, other, f.topology("ds"));
        } catch (Exception | Error e) {
            relay.close();
            throw e;
        }
    }

    @Test
    void onePartitionedProxyIsNoQuorumAndItsClientsGetErrorsNotHangs() throws Exception {
        try (Bench b = bench(0)) {
            List<String> g1 = FailoverFixture.keysOf(b.before(), "g1", "k:", 40);
            List<String> g2 = FailoverFixture.keysOf(b.before(), "g2", "k:", 20);
            try (WriteLoad cutG1 = new WriteLoad(b.cut().port(), g1.subList(0, 20), "cut-g1");
                 WriteLoad cutG2 = new WriteLoad(b.cut().port(), g2, "cut-g2");
                 WriteLoad otherG1 = new WriteLoad(b.other().port(), g1.subList(20, 40), "other-g1")) {
                cutG1.awaitMore(10);
                b.relay().stall(true);
                FailoverFixture.await("the partitioned proxy's vote: master down for 3 x down-after", () -> f.admin.healthReports("ds")
                        .stream().anyMatch(r -> r.proxyId().equals(b.cut().id()) && !r.node(b.master().address()).up()
                                && System.currentTimeMillis() - r.node(b.master().address()).sinceMillis() > 3 * DOWN_AFTER_MS));
                long cutErrors = cutG1.errors();
                cutG2.awaitMore(10);
                otherG1.awaitMore(10);
                assertTrue(cutErrors > 0, "the partitioned proxy's clients of g1 got errors: " + cutG1);
                assertEquals(0, cutG1.hangs(), "errors, not hangs: " + cutG1);
                assertEquals(0, cutG2.errors(), "the other group is served by the partitioned proxy: " + cutG2);
                assertEquals(0, otherG1.errors(), "the other proxy serves the cut-off group: " + otherG1);

                assertEquals(b.before().epoch(), f.topology("ds").epoch(), "no failover: one proxy of two is no quorum");
                assertEquals(List.of(), f.failovers("ds"));
                assertEquals("master", b.master().role());
                assertEquals("slave", b.replica().role());

                b.relay().heal();
                cutG1.awaitMore(10);
            }
        }
    }

    @Test
    void positiveControlWithAQuorumOfOneThePartitionedProxysVoteFailsTheMasterOver() throws Exception {
        try (Bench b = bench(1)) {
            List<String> g1 = FailoverFixture.keysOf(b.before(), "g1", "k:", 20);
            try (WriteLoad cutG1 = new WriteLoad(b.cut().port(), g1, "cut-g1")) {
                cutG1.awaitMore(10);
                b.relay().stall(true);
                FailoverFixture.await("a failover decided on the partitioned proxy's vote alone",
                        () -> f.topology("ds").group("g1").orElseThrow().master().equals(b.replica().address()));
                assertNotEquals(b.before().epoch(), f.topology("ds").epoch());
                assertEquals("master", b.replica().role());
                cutG1.awaitMore(10); // the new master is reached without the relay
                assertEquals(0, cutG1.hangs(), cutG1.toString());
            }
        }
    }
}
