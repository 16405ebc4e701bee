package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link BusyPollStrategy}: when it spins, when it sleeps, and that a loop built with it carries traffic. */
class BusyPollStrategyTest {

    /** A 24-hour spin: any test that ends did not spin to the deadline. */
    private static final long FOREVER_MICROS = 86_400_000_000L;

    @Test
    void zeroIsNettysDefaultStrategy() {
        assertSame(DefaultSelectStrategyFactory.INSTANCE, BusyPollStrategy.factory(0));
        assertThrows(IllegalArgumentException.class, () -> BusyPollStrategy.factory(-1));
    }

    @Test
    void readyAtOnceIsHandledWithoutSpinning() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        int r = BusyPollStrategy.factory(FOREVER_MICROS).newSelectStrategy().calculateStrategy(() -> {
            polls.incrementAndGet();
            return 3;
        }, false);
        assertEquals(3, r);
        assertEquals(1, polls.get());
    }

    @Test
    void withTasksQueuedItPollsOnceAndNeverSleeps() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        int r = BusyPollStrategy.factory(FOREVER_MICROS).newSelectStrategy().calculateStrategy(() -> {
            polls.incrementAndGet();
            return 0;
        }, true);
        assertEquals(0, r, "0 ready: the loop runs its tasks, as Netty's default strategy does");
        assertEquals(1, polls.get());
    }

    @Test
    void spinsUntilSomethingIsReady() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        int r = BusyPollStrategy.factory(FOREVER_MICROS).newSelectStrategy().calculateStrategy(
                () -> polls.incrementAndGet() == 1000 ? 2 : 0, false);
        assertEquals(2, r);
        assertEquals(1000, polls.get());
    }

    @Test
    void sleepsWhenNothingCameWithinTheSpin() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        int r = BusyPollStrategy.factory(1).newSelectStrategy().calculateStrategy(() -> {
            polls.incrementAndGet();
            return 0;
        }, false);
        assertEquals(SelectStrategy.SELECT, r);
        assertTrue(polls.get() >= 2, "polled again before sleeping: " + polls.get());
    }

    /**
     * A loop built with the strategy echoes bytes between a client and a server on it, and the strategy was
     * really asked (positive control: some passes polled more than once, i.e. spun, before the echo came back).
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aGroupThatSpinsCarriesTraffic(Transport t) throws Exception {
        assumeTrue(t != Transport.EPOLL || Epoll.isAvailable(), "epoll is not available here");
        AtomicLong spins = new AtomicLong();
        SelectStrategyFactory inner = BusyPollStrategy.factory(200);
        SelectStrategyFactory counting = () -> {
            SelectStrategy s = inner.newSelectStrategy();
            return (selectNow, hasTasks) -> {
                AtomicInteger polls = new AtomicInteger();
                int r = s.calculateStrategy(() -> {
                    polls.incrementAndGet();
                    return selectNow.get();
                }, hasTasks);
                if (polls.get() > 1) {
                    spins.incrementAndGet();
                }
                return r;
            };
        };
        EventLoopGroup group = t.newGroup(1, counting);
        try {
            Channel server = new ServerBootstrap().group(group).channel(t.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg); // echo
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(t.clientChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            echoed.complete(b.toString(StandardCharsets.US_ASCII));
                            b.release();
                        }
                    })
                    .connect(server.localAddress()).sync().channel();
            for (int i = 0; i < 1000 && spins.get() == 0; i++) {
                Thread.sleep(1); // an idle loop spins before each sleep
            }
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII)).sync();
            assertEquals("ping", echoed.get(10, TimeUnit.SECONDS));
            assertTrue(spins.get() > 0, "the loop never spun: the strategy is not in use");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void ioUringRefusesABusyPoll() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transport.checkBusyPoll("io-uring", 10));
        assertTrue(e.getMessage().contains("--busy-poll-us"), e.getMessage());
        Transport.checkBusyPoll("io_uring", 0); // off: fine
        Transport.checkBusyPoll("epoll", 10);
    }
}
