package io.kvstore.proxy.server;

import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.acl.Users;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.loop.WorkerContext;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.RequestFramer;
import io.kvstore.proxy.route.ClusterState;
import io.kvstore.proxy.session.ClientSession;
import io.kvstore.proxy.session.CommandDispatcher;
import io.kvstore.proxy.session.IdleTimeout;
import io.kvstore.proxy.session.ProxyContext;
import io.kvstore.proxy.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: the listening socket, the worker event loops and their backend connections.
 * Started and closed by one controlling thread; the data path runs on the worker loops.
 *
 * <p>Each accepted client is served entirely on the loop it was assigned to, together with that
 * loop's backend connections ({@link WorkerContext}), so no request crosses threads.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final ProxyContext context;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Map<EventExecutor, WorkerContext> workerContexts;
    private final Channel serverChannel;
    private final Channel tlsChannel; // null without --tls-listen
    private final ServerTls tls;
    private final Transport transport;
    private final long stallMillis;

    private ProxyServer(ProxyContext context, EventLoopGroup boss, EventLoopGroup workers,
                        Map<EventExecutor, WorkerContext> workerContexts, Channel serverChannel, Channel tlsChannel,
                        ServerTls tls, Transport transport, long stallMillis) {
        this.tlsChannel = tlsChannel;
        this.tls = tls;
        this.context = context;
        this.boss = boss;
        this.workers = workers;
        this.workerContexts = workerContexts;
        this.serverChannel = serverChannel;
        this.transport = transport;
        this.stallMillis = stallMillis > 0 ? stallMillis : 30_000; // with no stall check, a bound all the same
    }

    /** Binds and starts serving with {@code map} as the first slot map. */
    public static ProxyServer start(ProxyOptions options, SlotMap map) throws InterruptedException {
        return start(options, new ClusterState(map));
    }

    /** Binds and starts serving by {@code cluster} (possibly fenced until the control plane is ready). */
    public static ProxyServer start(ProxyOptions options, ClusterState cluster) throws InterruptedException {
        SlotMap map = cluster.map();
        Transport transport = Transport.choose(options.transport());
        ProxyContext context = new ProxyContext(CommandTable.load(), cluster,
                options.clientLimits(), options.password(), settings(options), options.multiKeyScope());
        context.allowConfigSet(options.allowConfigSet());
        cluster.onUnfenced(ms -> context.stats().latencyMonitor().record("fence", ms));
        // Before the first client: a connection must never see the default user of an empty list.
        context.access().users(Users.failClosed(options.users(), options.password(), context.commands(), LOG::error));
        EventLoopGroup boss = transport.newGroup(1);
        EventLoopGroup workers = transport.newGroup(options.threads(), options.busyPollMicros());
        Map<EventExecutor, WorkerContext> contexts = new IdentityHashMap<>();
        for (EventExecutor e : workers) {
            contexts.put(e, new WorkerContext((EventLoop) e, options.backendOptions(), transport.clientChannel(),
                    context.stats().newLoop(), context.inFlight().newLoop(options.threads())));
        }
        context.clients().acceptBarrier(new AcceptBarrier(boss, workers));
        CommandDispatcher dispatcher = new CommandDispatcher(context);
        long maxOut = context.limits().maxOutputBuffer();
        int high = (int) Math.min(Integer.MAX_VALUE, maxOut);
        ServerTls tls = options.tls() == null ? null : ServerTls.start(options.tls());
        Channel server = null;
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    // A client that shuts down its sending side still reads: it gets every reply owed
                    // before the connection closes (ClientSession.userEventTriggered), as from Redis.
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high));
            server = bootstrap.clone().childHandler(clientInitializer(context, contexts, dispatcher, null))
                    .bind(new InetSocketAddress(options.listen().host(), options.listen().port()))
                    .sync()
                    .channel();
            context.port(((InetSocketAddress) server.localAddress()).getPort());
            Channel tlsServer = null;
            if (tls != null) {
                HostPort at = options.tls().listen();
                tlsServer = bootstrap.clone().childHandler(clientInitializer(context, contexts, dispatcher, tls))
                        .bind(new InetSocketAddress(at.host(), at.port())).sync().channel();
                LOG.info("kvstore proxy listening for TLS clients on {}", tlsServer.localAddress());
            }
            LOG.info("kvstore proxy listening on {} with {} {} worker threads, {} groups, slot map epoch {}",
                    server.localAddress(), options.threads(), transport, map.groups().size(), map.epoch());
            return new ProxyServer(context, boss, workers, contexts, server, tlsServer, tls, transport,
                    options.backendOptions().stallMillis());
        } catch (InterruptedException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (tls != null) {
                tls.close();
            }
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * The pipeline of an accepted client: with {@code tls}, an {@code SslHandler} made with the
     * certificate current at accept time, then the same framer and session as a plain client.
     */
    private static ChannelInitializer<Channel> clientInitializer(ProxyContext context, Map<EventExecutor, WorkerContext> contexts,
                                                                 CommandDispatcher dispatcher, ServerTls tls) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                }
                if (context.connectedClients().get() >= context.limits().maxClients()) {
                    ch.writeAndFlush(Replies.error(ch.alloc(), "ERR max number of clients reached"))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ch.pipeline().addLast("framer", new RequestFramer(context.limits().framer()));
                ch.pipeline().addLast("session", new ClientSession(context, contexts.get(ch.eventLoop()), dispatcher));
            }
        };
    }

    /** What CONFIG GET shows: the proxy's own options, by the names Redis uses where there is one. */
    private static Map<String, String> settings(ProxyOptions o) {
        Map<String, String> s = new java.util.HashMap<>();
        s.put("maxclients", Integer.toString(o.clientLimits().maxClients()));
        s.put("proto-max-bulk-len", Long.toString(o.clientLimits().framer().maxBulkLength()));
        s.put("max-multibulk-length", Integer.toString(o.clientLimits().framer().maxMultibulkLength()));
        s.put("max-inline-length", Integer.toString(o.clientLimits().framer().maxInlineLength()));
        s.put("max-pending", Integer.toString(o.clientLimits().maxPending()));
        s.put("max-requests-in-flight", Integer.toString(o.clientLimits().maxInFlight()));
        s.put("migration-hold-ms", Long.toString(o.clientLimits().maxHoldMillis()));
        s.put("client-output-buffer-limit", "normal " + o.clientLimits().maxOutputBuffer() + " 0 0");
        s.put("threads", Integer.toString(o.threads()));
        s.put("bind", o.listen().host());
        s.put("port", Integer.toString(o.listen().port()));
        s.put("databases", "1");
        s.put("backend-connections", Integer.toString(o.backendOptions().connectionsPerLoop()));
        s.put("connect-timeout-ms", Integer.toString(o.backendOptions().connectTimeoutMillis()));
        return s;
    }

    /**
     * Tells every worker loop that a new map is in place, so a loop with no traffic also retires
     * its connections to groups that left. Called from the control thread; the work runs on each loop.
     */
    public void mapChanged(SlotMap map) {
        DrainBarrier barrier = new DrainBarrier(workerContexts.size());
        workerContexts.values().forEach(w -> w.loop().execute(() -> {
            w.backends().refresh(map);
            if (w.trackingIfAny() != null) {
                w.trackingIfAny().mapChanged(map, context.cluster().rewrite());
            }
            if (w.pubSubIfAny() != null) {
                w.pubSubIfAny().mapChanged(map);
            }
            context.clients().mapChanged(w, map);
            barrier.begin(w, context.clients());
        }));
        // The caller reports the epoch as applied only after this returns: by then every request
        // routed by an older map has been answered, or its connection dropped (DrainBarrier).
        long waitMillis = stallMillis + 2_000L;
        try {
            int dropped = barrier.await(waitMillis);
            if (dropped > 0) {
                LOG.warn("epoch {}: {} backend connections still had requests routed by an older slot map after {} ms; "
                        + "dropped them (their requests failed) before reporting the epoch", map.epoch(), dropped, waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The port clients connect to. */
    /** Redis's {@code timeout}: closes clients idle longer than {@code seconds} (0: never). Call once, at start. */
    public void idleTimeout(long seconds) {
        workerContexts.values().forEach(w -> IdleTimeout.start(context, w, seconds));
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The port of the TLS listener, or -1 without one. */
    public int tlsPort() {
        return tlsChannel == null ? -1 : ((InetSocketAddress) tlsChannel.localAddress()).getPort();
    }

    /** SIGHUP: the TLS listener re-reads its certificate, key and CA now (nothing to do without one). */
    public void reloadTls() {
        if (tls != null) {
            tls.reloadNow();
        } else {
            LOG.info("SIGHUP: no TLS listener, nothing to reload");
        }
    }

    /** The TLS listener's certificate state, or null without one. */
    public ServerTls tls() {
        return tls;
    }

    public Transport transport() {
        return transport;
    }

    public ProxyContext context() {
        return context;
    }

    /** Stops accepting, closes backend connections on their own loops, and stops the loops. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
            tls.close();
        }
        CountDownLatch closed = new CountDownLatch(workerContexts.size());
        workerContexts.values().forEach(w -> w.loop().execute(() -> {
            w.backends().closeAll();
            if (w.trackingIfAny() != null) {
                w.trackingIfAny().closeAll();
            }
            closed.countDown();
        }));
        try {
            closed.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        LOG.info("kvstore proxy on port {} stopped", port());
    }
}
