package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.loop.InFlightBudgets;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.session.ClientLimits;
import io.kvstore.testing.Await;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * {@code --max-requests-in-flight} against a stopped redis-server (SIGSTOP): many clients
 * pipelining far more than the bound hold no more than it in the proxy, and every reply arrives
 * complete and in order once the server runs again.
 *
 * <p>What the bound guarantees: each loop's count stays at or below its share plus one request
 * per client of that loop (the request a client had already sent when its loop's share ran out
 * takes a unit and then stops the client; nothing more is cut from it). A half-closed client's
 * last requests are cut regardless, and Pub/Sub messages waiting behind replies are counted, not refused.
 */
class InFlightBoundIntegrationTest {

    private static final int CLIENTS = 20;
    private static final int PIPELINE = 100; // GETs per client: 2,000 in all
    private static final int BOUND = 200;
    private static final int THREADS = 2;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(1);

    private static void signal(long pid, String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    private static String key(int client, int i) {
        return "inflight:" + client + ":" + i;
    }

    /** Starts a proxy with {@code bound}, floods it with the backend stopped, and reads every reply after. */
    private static InFlightBudgets flood(int bound, int expectAtLeast) throws Exception {
        ProxyServer proxy = ProxyCluster.startProxy(cluster.map(), o -> o.withThreads(THREADS)
                .withClientLimits(ClientLimits.DEFAULTS.withMaxInFlight(bound))
                .withBackendOptions(new BackendOptions(1, 1000, 100, 3000, 0))); // a stopped server is waited for
        InFlightBudgets budgets = proxy.context().inFlight();
        List<RespSocket> clients = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(RespSocket.connect(proxy.port(), 60_000));
                clients.get(c).command("PING"); // connected and on its loop before the server stops
                assertEquals("PONG", clients.get(c).read());
            }
            signal(cluster.shard(0).pid(), "STOP");
            try {
                for (int c = 0; c < CLIENTS; c++) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    for (int i = 0; i < PIPELINE; i++) {
                        b.writeBytes(RespSocket.encode("GET", key(c, i)));
                    }
                    clients.get(c).send(b.toByteArray());
                }
                // Let the proxy read what it will: until the count reaches what it must, then until it stops moving.
                long seen = -1;
                for (int i = 0; i < 400 && (budgets.inFlight() < expectAtLeast || budgets.inFlight() != seen); i++) {
                    seen = budgets.inFlight();
                    Thread.sleep(50);
                }
                assertTrue(budgets.inFlight() >= expectAtLeast, budgets.info());
            } finally {
                signal(cluster.shard(0).pid(), "CONT");
            }
            for (int c = 0; c < CLIENTS; c++) {
                for (int i = 0; i < PIPELINE; i++) {
                    assertEquals("v" + c + ":" + i, clients.get(c).read(), "client " + c + ", reply " + i);
                }
            }
            Await.until("every unit to be given back once answered", Duration.ofSeconds(5), () -> budgets.inFlight() == 0);
            try (Jedis j = ProxyCluster.client(proxy.port())) {
                String info = j.info("proxy");
                assertTrue(info.contains("max_requests_in_flight:" + bound + "\r\n"), info);
                assertTrue(info.contains("requests_in_flight_loop_peak:" + budgets.loopPeak() + "\r\n"), info);
            }
        } finally {
            for (RespSocket c : clients) {
                c.close();
            }
            proxy.close();
        }
        return budgets;
    }

    private static void setKeys() {
        try (Jedis j = cluster.client()) {
            for (int c = 0; c < CLIENTS; c++) {
                for (int i = 0; i < PIPELINE; i++) {
                    j.set(key(c, i), "v" + c + ":" + i);
                }
            }
        }
    }

    @Test
    void aStoppedServerHoldsNoMoreThanTheBoundAndEveryReplyArrivesAfter() throws Exception {
        setKeys();
        int share = BOUND / THREADS;
        InFlightBudgets bounded = flood(BOUND, BOUND);
        assertTrue(bounded.loopPeak() <= share + CLIENTS, "a loop's peak " + bounded.loopPeak() + " > share " + share
                + " + one per client; " + bounded.info());
        assertTrue(bounded.info().matches("(?s).*reads_paused_by_max_requests_in_flight:[1-9].*"), bounded.info());
    }

    /** Positive control: the same flood with no bound holds every request, far above the bound. */
    @Test
    void withoutTheBoundEveryRequestIsHeld() throws Exception {
        setKeys();
        InFlightBudgets unbounded = flood(0, CLIENTS * PIPELINE);
        assertTrue(unbounded.loopPeak() > BOUND / THREADS + CLIENTS, unbounded.info());
        assertTrue(unbounded.info().contains("reads_paused_by_max_requests_in_flight:0\r\n"), unbounded.info());
    }
}
