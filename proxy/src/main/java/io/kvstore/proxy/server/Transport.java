package io.kvstore.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueEventLoopGroup;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/** The I/O mechanism: native epoll on Linux, kqueue on macOS/BSD, Java NIO anywhere. A closed set. */
public enum Transport {
    EPOLL, KQUEUE, NIO;

    /** {@code auto} picks the best available; naming one that is not available is an error. */
    public static Transport choose(String name) {
        String n = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "auto" -> Epoll.isAvailable() ? EPOLL : KQueue.isAvailable() ? KQUEUE : NIO;
            case "epoll" -> require(EPOLL, Epoll.isAvailable(), Epoll.unavailabilityCause());
            case "kqueue" -> require(KQUEUE, KQueue.isAvailable(), KQueue.unavailabilityCause());
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException("unknown transport '" + name + "' (auto, epoll, kqueue, nio)");
        };
    }

    private static Transport require(Transport t, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException(t + " transport is not available here: " + cause);
        }
        return t;
    }

    public EventLoopGroup newGroup(int threads) {
        return switch (this) {
            case EPOLL -> new EpollEventLoopGroup(threads);
            case KQUEUE -> new KQueueEventLoopGroup(threads);
            case NIO -> new NioEventLoopGroup(threads);
        };
    }

    public Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case KQUEUE -> KQueueServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends Channel> clientChannel() {
        return switch (this) {
            case EPOLL -> EpollSocketChannel.class;
            case KQUEUE -> KQueueSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }
}
