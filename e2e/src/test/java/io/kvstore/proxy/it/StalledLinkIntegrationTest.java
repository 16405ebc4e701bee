package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.chaos.FaultyRelay;
import io.kvstore.admin.chaos.FaultyRelay.Direction;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RelayRouting;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A network fault between the proxy and one redis-server (through {@link FaultyRelay}): the
 * requests to that group fail with an error after {@code --backend-stall-ms} instead of hanging,
 * while clients of the other groups, on the same event loop and the same proxy, keep being
 * served meanwhile; and a slow link that still answers within the stall limit is not failed.
 *
 * <p>One client per group loops SET/GET on its group's keys and sorts each outcome: served, an
 * error from the proxy, or no answer within the client's timeout (a hang). The faulty group's
 * client seeing errors is the positive control: the same observer that finds no error on the
 * other groups does find them where the fault is.
 */
class StalledLinkIntegrationTest {

    private static final int STALL_MS = 1_000;
    private static final int CLIENT_TIMEOUT_MS = 20 * STALL_MS; // far beyond the stall limit: a hang, not a slow error

    /** The ways a link can stop carrying replies. */
    enum Fault {
        STALL(r -> r.stall(true)),
        REQUESTS_LOST(r -> r.blackHole(Direction.TO_SERVER, true)),
        REPLIES_LOST(r -> r.blackHole(Direction.TO_CLIENT, true));

        final Consumer<FaultyRelay> apply;

        Fault(Consumer<FaultyRelay> apply) {
            this.apply = apply;
        }
    }

    /** One client looping on one group's keys until stopped, counting what it gets. */
    private static final class GroupClient implements AutoCloseable {
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger hangs = new AtomicInteger();
        final List<String> errorTexts = new ArrayList<>();
        private volatile boolean stop;
        private final Thread thread;

        GroupClient(int port, List<String> keys) {
            thread = new Thread(() -> run(port, keys), "group-client");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(int port, List<String> keys) {
            Jedis j = null;
            for (int i = 0; !stop; i++) {
                String k = keys.get(i % keys.size());
                try {
                    if (j == null) {
                        j = new Jedis("127.0.0.1", port, DefaultJedisClientConfig.builder()
                                .connectionTimeoutMillis(5_000).socketTimeoutMillis(CLIENT_TIMEOUT_MS).build());
                    }
                    j.set(k, "v" + i);
                    if (!("v" + i).equals(j.get(k))) {
                        throw new JedisDataException("read back something else");
                    }
                    served.incrementAndGet();
                } catch (JedisDataException e) {
                    synchronized (errorTexts) {
                        errorTexts.add(e.getMessage());
                    }
                    errors.incrementAndGet();
                } catch (JedisConnectionException e) {
                    hangs.incrementAndGet();
                    j.close();
                    j = null;
                }
            }
            if (j != null) {
                j.close();
            }
        }

        /** The counts so far, as one line for failure messages. */
        String counts() {
            synchronized (errorTexts) {
                return "served " + served + ", errors " + errors + " " + errorTexts.stream().distinct().limit(3).toList()
                        + ", hangs " + hangs;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(2L * CLIENT_TIMEOUT_MS);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aDeadLinkToOneGroupFailsItsRequestsAndTheOthersKeepServing(Fault fault) throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(3);
             FaultyRelay relay = FaultyRelay.start(HostPort.parse(cluster.shard(1).address()))) {
            ProxyServer proxy = proxyThrough(cluster, relay);
            List<List<String>> keys = cluster.keysOnEachShard("k:", 20);
            try (GroupClient g0 = new GroupClient(proxy.port(), keys.get(0));
                 GroupClient g1 = new GroupClient(proxy.port(), keys.get(1));
                 GroupClient g2 = new GroupClient(proxy.port(), keys.get(2))) {
                ZkFixture.await("every group served once", () -> g0.served.get() > 0 && g1.served.get() > 0 && g2.served.get() > 0);
                fault.apply.accept(relay);
                int servedBefore0 = g0.served.get();
                int servedBefore2 = g2.served.get();
                ZkFixture.await("the faulty group's client to get an error (" + g1.counts() + ")", () -> g1.errors.get() > 0 || g1.hangs.get() > 0);
                assertTrue(g0.served.get() > servedBefore0 && g2.served.get() > servedBefore2,
                        "the other groups were served while the faulty one's request waited: " + g0.counts() + " / " + g2.counts());
                assertEquals(0, g1.hangs.get(), "an error, not a hang: " + g1.counts());
                synchronized (g1.errorTexts) {
                    assertTrue(g1.errorTexts.get(0).contains("no reply"), g1.errorTexts.toString());
                }
                int servedDuringFault = g1.served.get();
                relay.heal();
                ZkFixture.await("the group to be served again after the link healed (" + g1.counts() + ")",
                        () -> g1.served.get() > servedDuringFault);
                assertUntouched(g0);
                assertUntouched(g2);
            } finally {
                proxy.close();
            }
        }
    }

    @Test
    void aSlowLinkThatStillAnswersWithinTheStallLimitIsNotFailed() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2);
             FaultyRelay relay = FaultyRelay.start(HostPort.parse(cluster.shard(1).address()))) {
            ProxyServer proxy = proxyThrough(cluster, relay);
            try (GroupClient g1 = new GroupClient(proxy.port(), cluster.keysOn(1, "k:", 20))) {
                relay.latency(STALL_MS / 5);
                int before = g1.served.get();
                ZkFixture.await("20 slow round trips (" + g1.counts() + ")", () -> g1.served.get() >= before + 20);
                assertTrue(relay.faults().latencyMs() > 0);
                assertUntouched(g1);
            } finally {
                proxy.close();
            }
        }
    }

    /**
     * Requests on the client's dedicated connection to the group (a transaction, WATCH) are not
     * blocking commands: they must fail after the stall limit too, not wait forever; a blocking
     * command on that connection still waits as long as it asked.
     */
    @Test
    void aTransactionOnADeadLinkFailsInsteadOfHanging() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(2);
             FaultyRelay relay = FaultyRelay.start(HostPort.parse(cluster.shard(1).address()))) {
            ProxyServer proxy = proxyThrough(cluster, relay);
            String key = cluster.keysOn(1, "tx:", 1).get(0);
            try (RespSocket tx = RespSocket.connect(proxy.port(), CLIENT_TIMEOUT_MS)) {
                assertEquals("OK", tx.call("MULTI"));
                assertEquals("QUEUED", tx.call("SET", key, "1"));
                assertEquals(List.of("OK"), tx.call("EXEC"), "control: the transaction runs on a sound link");
                // A blocking command on the same connection waits longer than the stall limit on purpose.
                assertEquals(null, tx.call("BLPOP", "{" + key + "}:empty", Integer.toString(3 * STALL_MS / 1_000)),
                        "a blocking command times out as asked, not failed as a stall");
                relay.stall(true);
                assertEquals("OK", tx.call("MULTI"));
                assertEquals("QUEUED", tx.call("SET", key, "2"));
                Object exec;
                try {
                    exec = tx.call("EXEC");
                } catch (java.io.UncheckedIOException hang) {
                    exec = "no reply within " + CLIENT_TIMEOUT_MS + " ms: " + hang;
                }
                assertTrue(exec instanceof RespSocket.Error e && e.message().contains("no reply"), "EXEC on a stalled link: " + exec);
            } finally {
                proxy.close();
            }
        }
    }

    /** Every request of {@code c} was served: no error, no hang. */
    private static void assertUntouched(GroupClient c) {
        assertEquals(0, c.errors.get() + c.hangs.get(), c.counts());
    }

    private static ProxyServer proxyThrough(ProxyCluster cluster, FaultyRelay relay) {
        // One worker: every client and every backend connection share one event loop, so a loop
        // blocked by the dead link would stop the other groups too.
        return ProxyCluster.startProxy(cluster.map(), o -> o.withThreads(1).withBackendOptions(
                new BackendOptions(1, 1_000, 100, 500, STALL_MS).dialing(RelayRouting.dialer(relay))));
    }
}
