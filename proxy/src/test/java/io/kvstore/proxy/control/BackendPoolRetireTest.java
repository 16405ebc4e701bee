package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.backend.BackendPool;
import io.kvstore.proxy.backend.FlushBatch;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.testing.RedisServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool's connections to a server that left the slot map: replies already owed still arrive,
 * then the connections close; a request routed by an older snapshot still finds a connection
 * and leaves the newest map's cache alone.
 */
class BackendPoolRetireTest {

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private BackendPool pool;
    private RedisServer one;
    private RedisServer two;

    @BeforeEach
    void start() throws Exception {
        one = RedisServer.start();
        two = RedisServer.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        pool = on(() -> new BackendPool(loop, new FlushBatch(loop), new BackendOptions(1, 500, 100, 1000), NioSocketChannel.class));
    }

    @AfterEach
    void stop() throws Exception {
        on(() -> {
            pool.closeAll();
            return null;
        });
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        one.close();
        two.close();
    }

    private <T> T on(Callable<T> task) throws Exception {
        return loop.submit(task).get(30, TimeUnit.SECONDS);
    }

    private static SlotMap map(long epoch, RedisServer... servers) {
        List<Group> groups = java.util.Arrays.stream(servers).map(s -> Group.of("g-" + s.port(), HostPort.parse(s.address()))).toList();
        return SlotMap.evenlySpread(epoch, groups);
    }

    /** Sends DEBUG SLEEP so that the reply is owed for a while; completes with the reply text. */
    private static CompletableFuture<String> slowCall(BackendConnection c) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        ByteBuf frame = Unpooled.copiedBuffer("*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$3\r\n0.3\r\n", StandardCharsets.US_ASCII);
        c.send(frame, new ReplySink() {
            @Override
            public void onReply(ByteBuf r) {
                reply.complete(r.toString(StandardCharsets.US_ASCII));
                r.release();
            }

            @Override
            public void onFailure(String message) {
                reply.complete("failed: " + message);
            }
        });
        return reply;
    }

    @Test
    void aServerThatLeftIsClosedOnlyAfterItsRepliesAreIn() throws Exception {
        SlotMap first = map(1, one, two);
        SlotMap second = map(2, two);
        CompletableFuture<String> owed = on(() -> slowCall(pool.master(first, 0, 1, 2)));
        assertEquals(1, (int) on(() -> {
            pool.refresh(second);
            return pool.retiringCount();
        }));
        assertEquals("+OK\r\n", owed.get(30, TimeUnit.SECONDS), "the reply owed by the server that left still arrives");
        ZkFixture.await("the retired connection to close", () -> {
            try {
                return on(pool::retiringCount) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HostPort kept = HostPort.parse(two.address());
        assertEquals(List.of(kept, kept), on(() -> pool.all().stream().map(BackendConnection::address).toList()),
                "only the server still in the map keeps its connections, one per RESP version");
    }

    @Test
    void eachRespVersionHasConnectionsOfItsOwn() throws Exception {
        SlotMap map = map(1, one, two);
        BackendConnection resp2 = on(() -> pool.master(map, 0, 1, 2));
        BackendConnection resp3 = on(() -> pool.master(map, 0, 1, 3));
        assertNotSame(resp2, resp3);
        assertEquals(2, resp2.protocol());
        assertEquals(3, resp3.protocol());
        assertEquals(resp2.address(), resp3.address());
        assertSame(resp3, on(() -> pool.master(map, 0, 1, 3)), "a client keeps its connection");
    }

    @Test
    void anOlderSnapshotStillFindsItsServerWithoutDisturbingTheNewestMap() throws Exception {
        SlotMap first = map(1, one, two);
        SlotMap second = map(2, two);
        BackendConnection current = on(() -> pool.master(second, 0, 1, 2));
        BackendConnection old = on(() -> pool.master(first, 0, 1, 2));
        assertEquals(HostPort.parse(one.address()), old.address());
        assertEquals(1, (int) on(pool::retiringCount), "a connection opened for an old snapshot is retired from the start");
        assertSame(current, on(() -> pool.master(second, 0, 1, 2)), "the newest map's cache is untouched");
        assertEquals("+OK\r\n", on(() -> slowCall(old)).get(30, TimeUnit.SECONDS));
        BackendConnection sameServer = on(() -> pool.master(first, 1, 1, 2));
        assertSame(current, sameServer, "a server in both maps is reached through the current connection");
        ZkFixture.await("the connection opened for the old snapshot to close", () -> {
            try {
                return on(pool::retiringCount) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertNotSame(old, on(() -> pool.master(map(3, one, two), 0, 1, 2)), "a server that comes back gets new connections");
    }
}
