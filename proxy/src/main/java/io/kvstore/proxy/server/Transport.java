package io.kvstore.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O mechanism: native epoll or io_uring on Linux, kqueue on macOS/BSD, Java NIO anywhere. A closed set.
 * Invariant: a group made by {@link #newGroup} only ever carries channels of this same constant's
 * {@link #serverChannel} and {@link #clientChannel} (Netty 4.2 refuses a channel whose I/O handler differs), so
 * backend connections are opened with the transport of the loop that owns them. Stateless apart from the
 * once-only log of why io_uring is unavailable; any thread.
 */
public enum Transport {
    EPOLL, IO_URING, KQUEUE, NIO;

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    private static final AtomicBoolean URING_CAUSE_LOGGED = new AtomicBoolean();

    /**
     * {@code auto} picks the best available: epoll, then kqueue, then NIO (io_uring only when named: see
     * doc/performance.md for the measurement behind that); naming one that is not available is an error.
     */
    public static Transport choose(String name) {
        return switch (normalize(name)) {
            case "auto" -> Epoll.isAvailable() ? EPOLL : KQueue.isAvailable() ? KQUEUE : NIO;
            case "epoll" -> require(EPOLL, Epoll.isAvailable(), Epoll.unavailabilityCause());
            case "io_uring", "iouring" -> require(IO_URING, uringAvailable(), IoUring.unavailabilityCause());
            case "kqueue" -> require(KQUEUE, KQueue.isAvailable(), KQueue.unavailabilityCause());
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException(
                    "unknown transport '" + name + "' (auto, epoll, io_uring, kqueue, nio)");
        };
    }

    private static String normalize(String name) {
        return name == null ? "auto" : name.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * Refuses, before anything starts, a busy-poll ({@code --busy-poll-us}) with the transport named {@code name}
     * when that is io_uring: Netty's io_uring loop has no select strategy to spin in.
     */
    static void checkBusyPoll(String name, long busyPollMicros) {
        String n = normalize(name);
        if (busyPollMicros != 0 && (n.equals("io_uring") || n.equals("iouring"))) {
            throw new IllegalArgumentException("--busy-poll-us needs the epoll, kqueue or nio transport, not io_uring");
        }
    }

    /**
     * Whether io_uring can be used here; when not (kernel older than 5.14, a seccomp profile that blocks
     * io_uring_setup as Docker's default does, io_uring_disabled=2), the cause is logged once per process.
     */
    static boolean uringAvailable() {
        boolean ok = IoUring.isAvailable();
        if (!ok && URING_CAUSE_LOGGED.compareAndSet(false, true)) {
            LOG.warn("io_uring is not available here: {}", String.valueOf(IoUring.unavailabilityCause()));
        }
        return ok;
    }

    private static Transport require(Transport t, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalArgumentException(t.label() + " transport is not available here: " + cause);
        }
        return t;
    }

    /** The name users give: {@code epoll}, {@code io_uring}, {@code kqueue}, {@code nio}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public EventLoopGroup newGroup(int threads) {
        return newGroup(threads, 0L);
    }

    /**
     * Loops that poll for up to {@code busyPollMicros} before each sleep ({@code --busy-poll-us}, see
     * {@link BusyPollStrategy}); 0 sleeps at once, as Netty does by default. io_uring has no such choice in Netty.
     */
    public EventLoopGroup newGroup(int threads, long busyPollMicros) {
        checkBusyPoll(label(), busyPollMicros);
        return newGroup(threads, BusyPollStrategy.factory(busyPollMicros)); // Netty's default strategy for 0
    }

    /** Loops that choose between polling and sleeping by {@code strategy} (io_uring has no such choice). */
    EventLoopGroup newGroup(int threads, SelectStrategyFactory strategy) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandler(strategy));
    }

    private IoHandlerFactory ioHandler(SelectStrategyFactory strategy) {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory(0, strategy);
            case IO_URING -> IoUringIoHandler.newFactory();
            case KQUEUE -> KQueueIoHandler.newFactory(0, strategy);
            case NIO -> NioIoHandler.newFactory(SelectorProvider.provider(), strategy);
        };
    }

    public Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case KQUEUE -> KQueueServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends Channel> clientChannel() {
        return switch (this) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case KQUEUE -> KQueueSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }
}
