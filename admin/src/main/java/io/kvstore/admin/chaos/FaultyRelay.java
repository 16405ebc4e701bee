package io.kvstore.admin.chaos;

import io.kvstore.config.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 in front of one server (a redis-server or ZooKeeper) that injects
 * network faults, switchable while traffic flows: latency, a bandwidth limit, a stall (bytes are
 * accepted and held, nothing is forwarded until it ends, as in a partition that heals), a black
 * hole in one direction (bytes are accepted and dropped for good), and a reset of every
 * connection (RST). The JUnit relay tests use it in-process; {@code scripts/chaos.sh} runs it from
 * the tarball's {@code lib/} through {@link RelayMain}, switched over {@link RelayControl}.
 *
 * <p><b>Where to put it.</b> A client that should see the faulty network dials the relay instead of
 * the server. The proxy tests keep the topology naming the real servers and point only the proxy
 * under test at the relay (its backend dial address and its health checks, so that its vote in the
 * quorum is about the real server); a proxy's ZooKeeper connection goes through a relay by naming
 * the relay in its connect string. {@code chaos.sh} puts one relay in front of each redis-server
 * for every proxy ({@code --backend-via}) and one in front of ZooKeeper for each proxy.
 *
 * <p><b>Threads.</b> One event loop ({@code faulty-relay-N}) owns the listener and both channels of
 * every connection, and the queues between them, so they need no locks. The faults are one
 * immutable {@link Faults} value swapped through a volatile field by any thread; a chunk read
 * gets the faults current at that moment (latency and bandwidth fix its delivery time then), and
 * every change wakes every connection so that held bytes go once a stall ends. Invariant: a
 * direction holds at most about {@link #MAX_HELD_BYTES} unsent; past that it stops reading its
 * sender (TCP pushes back, as a slow link would) until half of it is gone. {@link #close()}
 * closes every connection and stops the loop.
 *
 * <p><b>Where it differs from a real network.</b> When one side closes, the relay closes the
 * other at once and discards what it still holds; a kernel would still try to deliver bytes
 * already sent, so a request written before a partition could reach the server after it heals
 * even though the proxy gave up on it. Runs through the relay cannot show such late arrivals.
 */
public final class FaultyRelay implements AutoCloseable {

    /** A direction of every connection through the relay. */
    public enum Direction { TO_SERVER, TO_CLIENT }

    /**
     * The faults in force. Immutable.
     *
     * @param latencyMs      added to every chunk, each direction
     * @param bytesPerSecond each direction of each connection at most this fast; 0 = no limit
     * @param stalled        hold everything, both directions, until this ends
     * @param blackHoleToServer drop what clients send
     * @param blackHoleToClient drop what the server sends
     */
    public record Faults(long latencyMs, long bytesPerSecond, boolean stalled, boolean blackHoleToServer,
                         boolean blackHoleToClient) {
        public static final Faults NONE = new Faults(0, 0, false, false, false);

        boolean blackHole(Direction d) {
            return d == Direction.TO_SERVER ? blackHoleToServer : blackHoleToClient;
        }
    }

    /** Unsent bytes one direction of one connection holds before it stops reading its sender. */
    static final int MAX_HELD_BYTES = 4 << 20;

    private final HostPort target;
    private final EventLoopGroup loop;
    private final Channel listener;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final Map<Direction, AtomicLong> forwarded = Map.of(Direction.TO_SERVER, new AtomicLong(), Direction.TO_CLIENT, new AtomicLong());
    private final Map<Direction, AtomicLong> dropped = Map.of(Direction.TO_SERVER, new AtomicLong(), Direction.TO_CLIENT, new AtomicLong());
    private volatile Faults faults = Faults.NONE;

    private FaultyRelay(int listenPort, HostPort target) {
        this.target = target;
        this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("faulty-relay", true), NioIoHandler.newFactory());
        try {
            listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false) // until the server side is connected
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.incrementAndGet();
                            new Link(ch).open();
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", listenPort)).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw e;
        }
    }

    /** A relay on a free 127.0.0.1 port forwarding to {@code target}, no fault yet; the caller closes it. */
    public static FaultyRelay start(HostPort target) {
        return new FaultyRelay(0, target);
    }

    /** A relay on 127.0.0.1:{@code listenPort} (0: a free one) forwarding to {@code target}; the caller closes it. */
    public static FaultyRelay start(int listenPort, HostPort target) {
        return new FaultyRelay(listenPort, target);
    }

    /** Where clients connect. */
    public HostPort address() {
        return new HostPort("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
    }

    public HostPort target() {
        return target;
    }

    public Faults faults() {
        return faults;
    }

    /** Replaces the faults; bytes held by a stall that ends now are forwarded. Any thread. */
    public synchronized FaultyRelay set(Faults next) {
        faults = next;
        links.forEach(Link::wake);
        return this;
    }

    public FaultyRelay latency(long ms) {
        Faults f = faults;
        return set(new Faults(ms, f.bytesPerSecond(), f.stalled(), f.blackHoleToServer(), f.blackHoleToClient()));
    }

    public FaultyRelay bandwidth(long bytesPerSecond) {
        Faults f = faults;
        return set(new Faults(f.latencyMs(), bytesPerSecond, f.stalled(), f.blackHoleToServer(), f.blackHoleToClient()));
    }

    public FaultyRelay stall(boolean on) {
        Faults f = faults;
        return set(new Faults(f.latencyMs(), f.bytesPerSecond(), on, f.blackHoleToServer(), f.blackHoleToClient()));
    }

    public FaultyRelay blackHole(Direction d, boolean on) {
        Faults f = faults;
        return set(new Faults(f.latencyMs(), f.bytesPerSecond(), f.stalled(),
                d == Direction.TO_SERVER ? on : f.blackHoleToServer(), d == Direction.TO_CLIENT ? on : f.blackHoleToClient()));
    }

    /** No fault any more; held bytes are forwarded. */
    public FaultyRelay heal() {
        return set(Faults.NONE);
    }

    /** Resets (RST) every open connection, both sides, and returns once they are closed. New connections are accepted. */
    public void resetAll() {
        loop.submit(() -> links.forEach(Link::reset)).syncUninterruptibly();
    }

    /** Connections open through the relay now. */
    public int connections() {
        return links.size();
    }

    /** Connections accepted since the start. */
    public long accepted() {
        return accepted.get();
    }

    /** Bytes forwarded in direction {@code d} since the start. */
    public long forwarded(Direction d) {
        return forwarded.get(d).get();
    }

    /** Bytes dropped by a black hole in direction {@code d} since the start. */
    public long dropped(Direction d) {
        return dropped.get(d).get();
    }

    @Override
    public void close() {
        try {
            loop.submit(() -> {
                listener.close();
                links.forEach(Link::close);
            }).syncUninterruptibly();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A chunk read and when it may be written. */
    private record Chunk(ByteBuf bytes, long dueNanos) {
    }

    /** A client connection and its connection to the server. Event loop only, except {@link #wake}. */
    private final class Link {
        final Channel client;
        Channel server; // null until connected
        final Pipe toServer = new Pipe(Direction.TO_SERVER);
        final Pipe toClient = new Pipe(Direction.TO_CLIENT);
        boolean closed;

        Link(Channel client) {
            this.client = client;
        }

        void open() {
            links.add(this);
            client.pipeline().addLast(new Reader(toServer));
            ChannelFuture f = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Reader(toClient))
                    .connect(new InetSocketAddress(target.host(), target.port()));
            server = f.channel();
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    close();
                } else if (!closed) {
                    client.config().setAutoRead(true);
                    toServer.pump();
                }
            });
        }

        /** From any thread: a fault changed, held bytes may go now. */
        void wake() {
            client.eventLoop().execute(() -> {
                toServer.pump();
                toClient.pump();
            });
        }

        void reset() {
            client.config().setOption(ChannelOption.SO_LINGER, 0);
            if (server.isActive()) {
                server.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            close();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            links.remove(this);
            toServer.discard();
            toClient.discard();
            client.close();
            server.close();
        }

        /** One direction: reads from one channel, queued until due, written to the other. */
        final class Pipe {
            final Direction direction;
            final ArrayDeque<Chunk> queue = new ArrayDeque<>();
            long held; // bytes in the queue
            long lastDueNanos;
            ScheduledFuture<?> timer;

            Pipe(Direction direction) {
                this.direction = direction;
            }

            Channel out() {
                return direction == Direction.TO_SERVER ? server : client;
            }

            Channel in() {
                return direction == Direction.TO_SERVER ? client : server;
            }

            void read(ByteBuf bytes) {
                Faults f = faults;
                if (closed || f.blackHole(direction)) {
                    dropped.get(direction).addAndGet(bytes.readableBytes());
                    bytes.release();
                    return;
                }
                long due = Math.max(lastDueNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(f.latencyMs()));
                if (f.bytesPerSecond() > 0) {
                    // Cut into pieces of about 20 ms of transfer each, so that a big read trickles out
                    // as a slow link would deliver it instead of arriving whole at the end.
                    int piece = (int) Math.max(1, Math.min(Integer.MAX_VALUE, f.bytesPerSecond() / 50));
                    while (bytes.isReadable()) {
                        int n = Math.min(piece, bytes.readableBytes());
                        due += n * 1_000_000_000L / f.bytesPerSecond();
                        queue.add(new Chunk(bytes.readRetainedSlice(n), due));
                        held += n;
                    }
                    bytes.release();
                } else {
                    held += bytes.readableBytes();
                    queue.add(new Chunk(bytes, due));
                }
                lastDueNanos = due;
                if (held > MAX_HELD_BYTES) {
                    in().config().setAutoRead(false);
                }
                pump();
            }

            /** Writes every chunk that is due, unless stalled; wakes itself for the next one. */
            void pump() {
                if (closed || faults.stalled() || !out().isActive()) {
                    return;
                }
                boolean wrote = false;
                long now = System.nanoTime();
                for (Chunk c = queue.peek(); c != null; c = queue.peek()) {
                    if (c.dueNanos() > now) {
                        if (timer == null) {
                            timer = out().eventLoop().schedule(() -> {
                                timer = null;
                                pump();
                            }, c.dueNanos() - now, TimeUnit.NANOSECONDS);
                        }
                        break;
                    }
                    queue.poll();
                    held -= c.bytes().readableBytes();
                    forwarded.get(direction).addAndGet(c.bytes().readableBytes());
                    out().write(c.bytes());
                    wrote = true;
                }
                if (wrote) {
                    out().flush();
                }
                if (held <= MAX_HELD_BYTES / 2 && !in().config().isAutoRead() && in().isActive()) {
                    in().config().setAutoRead(true);
                }
            }

            void discard() {
                if (timer != null) {
                    timer.cancel(false);
                    timer = null;
                }
                for (Chunk c = queue.poll(); c != null; c = queue.poll()) {
                    c.bytes().release();
                }
                held = 0;
            }
        }

        /** Feeds one channel's reads into a pipe; either channel closing closes the link. */
        final class Reader extends ChannelInboundHandlerAdapter {
            final Pipe pipe;

            Reader(Pipe pipe) {
                this.pipe = pipe;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                pipe.read((ByteBuf) msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                close();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                close();
            }
        }
    }
}
