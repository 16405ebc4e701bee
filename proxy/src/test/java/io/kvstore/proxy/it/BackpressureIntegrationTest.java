package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.resp.FramerLimits;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.session.ClientLimits;
import io.kvstore.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A client that writes a flood of commands and reads nothing for a while, against a proxy that
 * lets only 64 requests per client wait for backends: nothing is lost or reordered, and other
 * clients are served meanwhile.
 */
class BackpressureIntegrationTest {

    private static final int PAIRS = 100_000; // a SET and a GET each: 200,000 commands
    private static final int KEYS = 1_000;
    private static final int BATCH = 2_000; // pairs per write() call

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static ProxyServer proxy;
    private static ProxyServer smallOutput;

    @BeforeAll
    static void startProxies() {
        proxy = cluster.startProxy(o -> o.withClientLimits(
                new ClientLimits(FramerLimits.DEFAULTS, 64, 10000, 512L * 1024 * 1024)));
        smallOutput = cluster.startProxy(o -> o.withClientLimits(
                new ClientLimits(FramerLimits.DEFAULTS, 4096, 10000, 256 * 1024)));
    }

    @Test
    void floodWithoutReadingThenReadEverythingInOrder() throws Exception {
        ExecutorService writerThread = Executors.newSingleThreadExecutor();
        try (RespSocket flood = RespSocket.connect(proxy.port(), 60_000)) {
            Future<?> writer = writerThread.submit(() -> {
                for (int from = 0; from < PAIRS; from += BATCH) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream(BATCH * 80);
                    for (int j = from; j < from + BATCH; j++) {
                        String key = "bp:" + j % KEYS;
                        b.writeBytes(RespSocket.encode("SET", key, "v" + j));
                        b.writeBytes(RespSocket.encode("GET", key));
                    }
                    flood.send(b.toByteArray());
                }
                return null;
            });
            // Read nothing until the writer is done or has been blocked for a while (the proxy may
            // stop reading from a client that does not read); meanwhile another client is served.
            try {
                writer.get(20, TimeUnit.SECONDS);
            } catch (TimeoutException stillWriting) {
                // fine: reading below lets it finish
            }
            try (Jedis other = ProxyCluster.client(proxy.port())) {
                for (int i = 0; i < 50; i++) {
                    assertEquals("OK", other.set("bp:other:" + i, "o" + i));
                    assertEquals("o" + i, other.get("bp:other:" + i));
                }
            }
            CompletableFuture<Void> readAll = CompletableFuture.runAsync(() -> {
                for (int j = 0; j < PAIRS; j++) {
                    Object set = flood.read();
                    Object get = flood.read();
                    if (!"OK".equals(set) || !("v" + j).equals(get)) {
                        throw new AssertionError("pair " + j + ": SET -> " + set + ", GET -> " + get);
                    }
                }
            });
            readAll.get(180, TimeUnit.SECONDS);
            writer.get(10, TimeUnit.SECONDS);
            flood.command("PING");
            assertEquals("PONG", flood.read(), "the flooding client's connection is still usable");
            flood.command("GET", "bp:never-set");
            assertNull(flood.read());
        } finally {
            writerThread.shutdownNow();
            assertTrue(writerThread.awaitTermination(30, TimeUnit.SECONDS), "writer thread stopped");
        }
    }

    /**
     * Like Redis's client-output-buffer-limit: a client that never reads its replies is
     * disconnected once they pass the limit, instead of growing the proxy's memory; others go on.
     */
    @Test
    void clientThatNeverReadsIsDisconnectedAtTheOutputLimit() throws Exception {
        String big = "b".repeat(32 * 1024);
        try (Jedis setup = ProxyCluster.client(smallOutput.port())) {
            assertEquals("OK", setup.set("bp:big", big));
        }
        ExecutorService writerThread = Executors.newSingleThreadExecutor();
        try (RespSocket greedy = RespSocket.connect(smallOutput.port(), 60_000)) {
            byte[] get = RespSocket.encode("GET", "bp:big");
            Future<Integer> writer = writerThread.submit(() -> {
                int sent = 0;
                try {
                    for (; sent < 3_000; sent++) { // 96 MB of replies if nobody stopped it
                        greedy.send(get);
                    }
                } catch (RuntimeException closedByProxy) {
                    // expected: the proxy hung up
                }
                return sent;
            });
            int sent = writer.get(120, TimeUnit.SECONDS); // small requests: the socket buffers may take them all
            Await.until("the proxy to disconnect the client that does not read (without reading a byte)",
                    Duration.ofSeconds(60), () -> smallOutput.context().connectedClients().get() == 0);
            long replies = 0;
            try {
                while (true) {
                    assertEquals(big, greedy.read());
                    replies++;
                }
            } catch (UncheckedIOException eofOrReset) {
                // the connection was closed after some replies
            }
            assertTrue(replies < sent, replies + " replies to " + sent + " requests");
        } finally {
            writerThread.shutdownNow();
            assertTrue(writerThread.awaitTermination(30, TimeUnit.SECONDS), "writer thread stopped");
        }
        try (Jedis other = ProxyCluster.client(smallOutput.port())) {
            assertEquals(big, other.get("bp:big"), "other clients are served");
        }
    }
}
