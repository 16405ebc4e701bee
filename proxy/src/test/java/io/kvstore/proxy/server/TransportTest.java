package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.uring.IoUring;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Transport#choose}: every name, the unknown name, and that each transport's group carries its own channels. */
class TransportTest {

    @Test
    void autoPrefersEpollThenKqueueThenNio() {
        Transport expected = Epoll.isAvailable() ? Transport.EPOLL : KQueue.isAvailable() ? Transport.KQUEUE : Transport.NIO;
        assertEquals(expected, Transport.choose("auto"));
        assertEquals(expected, Transport.choose(null), "no name is auto");
        assertEquals(expected, Transport.choose("AUTO"), "names are case-insensitive");
    }

    @Test
    void namedNioIsAlwaysThere() {
        assertEquals(Transport.NIO, Transport.choose("nio"));
    }

    @Test
    void namedEpoll() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        assertEquals(Transport.EPOLL, Transport.choose("epoll"));
    }

    @Test
    void namedIoUringInEitherSpelling() {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here: " + IoUring.unavailabilityCause());
        assertEquals(Transport.IO_URING, Transport.choose("io_uring"));
        assertEquals(Transport.IO_URING, Transport.choose("io-uring"));
        assertEquals(Transport.IO_URING, Transport.choose("IO_URING"));
        assertEquals("io_uring", Transport.IO_URING.label());
    }

    @Test
    void namedButUnavailableIsRefusedWithTheCause() {
        // On Linux kqueue is never there; elsewhere epoll is not: either way one named transport is refused.
        String missing = KQueue.isAvailable() ? "epoll" : "kqueue";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.choose(missing));
        assertTrue(e.getMessage().startsWith(missing + " transport is not available here"), e.getMessage());
    }

    @Test
    void unknownNameIsAnErrorListingTheNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.choose("select"));
        assertEquals("unknown transport 'select' (auto, epoll, io_uring, kqueue, nio)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transport.choose(""));
    }

    /** The invariant backend connections rely on: a group accepts and connects channels of its own transport. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void eachGroupCarriesItsOwnServerAndClientChannels(Transport t) throws Exception {
        assumeTrue(available(t), t.label() + " is not available here");
        EventLoopGroup group = t.newGroup(1);
        try {
            CompletableFuture<Object> accepted = new CompletableFuture<>();
            Channel server = new ServerBootstrap().group(group).channel(t.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel().getClass());
                            ctx.close();
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel client = new Bootstrap().group(group).channel(t.clientChannel())
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel();
            assertEquals(t.clientChannel(), client.getClass());
            Object childClass = accepted.get(10, TimeUnit.SECONDS);
            assertEquals(t.serverChannel().getPackageName(), ((Class<?>) childClass).getPackageName(),
                    "the accepted channel belongs to the same transport");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static boolean available(Transport t) {
        return switch (t) {
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
            case KQUEUE -> KQueue.isAvailable();
            case NIO -> true;
        };
    }
}
