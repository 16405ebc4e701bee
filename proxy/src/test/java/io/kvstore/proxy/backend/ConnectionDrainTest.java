package io.kvstore.proxy.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.stats.BackendTimer;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The backend pool's drain of a slot-map switch (BackendPool.drain, ConnectionDrain): done at once when nothing is
 * busy, done once a busy connection answered what it owed, and, when the caller gives up, the unanswered connections
 * dropped with their requests failed. A real redis-server holds a BLPOP so a connection stays busy for as long as the
 * test wants; the loop is the test's own single NIO loop, every call on the loop.
 */
class ConnectionDrainTest {

    private static final BackendOptions OPTIONS = new BackendOptions(1, 500, 100, 1000);

    private RedisServer server;
    private NioEventLoopGroup group;
    private EventLoop loop;
    private BackendPool pool;
    private BackendConnection own;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start();
        group = new NioEventLoopGroup(1);
        loop = group.next();
        FlushBatch flushBatch = new FlushBatch(loop);
        pool = on(() -> new BackendPool(loop, flushBatch, OPTIONS, NioSocketChannel.class));
        own = on(() -> new BackendConnection(HostPort.parse(server.address()), BackendAuth.NONE, loop, flushBatch, OPTIONS,
                NioSocketChannel.class, 2, false, BackendTimer.NONE));
    }

    @AfterEach
    void stop() throws Exception {
        on(() -> {
            own.close();
            pool.closeAll();
            return null;
        });
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.close();
    }

    @Test
    void nothingBusyIsDrainedAtOnce() throws Exception {
        AtomicInteger drained = new AtomicInteger();
        on(() -> pool.drain(List.of(own), drained::incrementAndGet));
        assertEquals(1, drained.get());
    }

    @Test
    void aBusyConnectionIsDrainedOnceItAnsweredWhatItOwed() throws Exception {
        CompletableFuture<String> pop = blpop("drain:a");
        awaitBlocked();
        AtomicInteger drained = new AtomicInteger();
        on(() -> pool.drain(List.of(own), drained::incrementAndGet));
        // The PING waits behind the BLPOP, which a redis-server answers in order: not drained while it blocks.
        assertEquals(0, on(drained::get), "not drained while the BLPOP is owed");
        try (Jedis j = server.client()) {
            j.rpush("drain:a", "v");
        }
        assertEquals("*2\r\n$7\r\ndrain:a\r\n$1\r\nv\r\n", pop.get(30, TimeUnit.SECONDS));
        // the PING's answer follows the BLPOP's
        Await.until("the drain, after the PING was answered", Duration.ofSeconds(30), () -> on(drained::get) != 0);
        assertEquals(1, on(drained::get), "drained once, after the PING was answered");
    }

    @Test
    void whatHasNotAnsweredIsDroppedWithItsRequestsFailed() throws Exception {
        CompletableFuture<String> pop = blpop("drain:b");
        awaitBlocked();
        AtomicInteger drained = new AtomicInteger();
        ConnectionDrain drain = on(() -> pool.drain(List.of(own), drained::incrementAndGet));
        assertEquals(0, on(drained::get), "control: nothing answered yet");
        assertEquals(1, (int) on(() -> drain.dropUnanswered("too slow")));
        assertEquals(1, on(drained::get), "dropping the last unanswered connection ends the drain");
        String failure = pop.handle((ok, e) -> e == null ? "replied " + ok : e.getMessage()).get(30, TimeUnit.SECONDS);
        assertTrue(failure.contains("too slow"), failure);
        assertEquals(0, (int) on(() -> drain.dropUnanswered("again")), "nothing left to drop");
    }

    private CompletableFuture<String> blpop(String key) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        on(() -> {
            own.send(RespWriter.command(own.alloc(), "BLPOP", key, "0"), new ReplySink() {
                        @Override
                        public void onReply(ByteBuf r) {
                            reply.complete(r.toString(StandardCharsets.US_ASCII));
                            r.release();
                        }

                        @Override
                        public void onFailure(String message) {
                            reply.completeExceptionally(new IllegalStateException(message));
                        }
                    });
            return null;
        });
        return reply;
    }

    /** Until the server shows a client blocked: the BLPOP is in flight on {@code own}. */
    private void awaitBlocked() throws Exception {
        try (Jedis j = server.client()) {
            Await.until("control: the BLPOP to block on the server", Duration.ofSeconds(30),
                    () -> j.info("clients").contains("blocked_clients:1"));
        }
    }

    private <T> T on(Callable<T> task) throws Exception {
        return loop.submit(task).get(30, TimeUnit.SECONDS);
    }
}
