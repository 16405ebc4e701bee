package io.kvstore.proxy.backend;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.resp.ReplyFramer;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.stats.BackendTimer;
import io.kvstore.proxy.tls.BackendSsl;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipelined connection from one event loop to one redis-server. Confined to that loop: the
 * clients whose requests it carries live on the same loop, so nothing here is locked.
 *
 * <p>Invariant: {@code inflight} holds one sink per request written to the current channel, in
 * wire order, so the n-th reply belongs to the n-th sink; when the channel dies every sink in it
 * fails. While a connect is under way requests wait in {@code waiting}; after a failed connect
 * the backend is refused at once (no hang) until a backoff delay has passed, and the next
 * request after that tries again.
 *
 * <p>A connection speaks one RESP version, chosen when it is made ({@code HELLO 3} is part of
 * its handshake for RESP3), so the replies it carries reach clients of that version untranslated.
 * Over TLS ({@link BackendAuth#tls()}) an {@code SslHandler} comes first in the pipeline and the
 * connection counts as made when the handshake is done.
 *
 * <p>It never carries a push message for a sink: a push frame ({@code >}) arriving on a connection
 * that is not a Pub/Sub link is dropped, so it cannot shift every later reply onto the wrong request.
 */
public final class BackendConnection implements FlushBatch.Member {

    private static final Logger LOG = LoggerFactory.getLogger(BackendConnection.class);

    private enum State { IDLE, CONNECTING, READY, BACKOFF, CLOSED }

    /** Stands for "no sink: the reply is a push" where a sink must be stored. */
    private static final ReplySink PUSHED = new ReplySink() {
        @Override
        public void onReply(ByteBuf reply) {
            reply.release();
        }

        @Override
        public void onFailure(String message) {
        }
    };

    private final HostPort address;
    private final BackendAuth auth;
    private final EventLoop loop;
    private final FlushBatch flushBatch;
    private final BackendOptions options;
    private final Class<? extends Channel> channelClass;
    private final int protocol;
    private final ArrayDeque<ReplySink> inflight = new ArrayDeque<>();
    /** Send times parallel to {@code inflight}: backend time per request. */
    private final BackendTimer timer;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(); // frame, sink, frame, sink, ...

    private State state = State.IDLE;
    private Channel channel;
    private long backoffMillis;
    private String lastError = "not connected";
    private boolean inFlushBatch;
    private ReplySink pushHandler;
    /** Closes a connection whose backend stopped answering; see {@link StallWatch}. */
    private final StallWatch stalls;

    /**
     * {@code protocol}: the RESP version (2 or 3) of the replies. {@code watchStalls}: whether
     * requests pending with no reply for {@code stallMillis} close the connection (unless the
     * oldest pending one {@linkplain ReplySink#waitsOnPurpose waits on purpose}); off for
     * connections that wait for pushes (Pub/Sub, tracking invalidations).
     */
    public BackendConnection(HostPort address, BackendAuth auth, EventLoop loop, FlushBatch flushBatch,
                      BackendOptions options, Class<? extends Channel> channelClass, int protocol, boolean watchStalls,
                      BackendTimer timer) {
        this.timer = timer;
        this.protocol = protocol;
        this.stalls = new StallWatch(options.stallMillis(), watchStalls);
        this.address = address;
        this.auth = auth;
        this.loop = loop;
        this.flushBatch = flushBatch;
        this.options = options;
        this.channelClass = channelClass;
        this.backoffMillis = options.minBackoffMillis();
    }

    public HostPort address() {
        return address;
    }

    /** The RESP version of this connection's replies. */
    public int protocol() {
        return protocol;
    }

    /** Number of requests written and not yet answered. */
    public int inflight() {
        return inflight.size();
    }

    /** Whether requests are written and unanswered, or waiting for the connection. */
    /** The allocator of its channel; before the first connect the default one, which its channel then gets too. */
    ByteBufAllocator alloc() {
        Channel ch = channel;
        return ch != null ? ch.alloc() : ByteBufAllocator.DEFAULT;
    }

    public boolean busy() {
        return !inflight.isEmpty() || !waiting.isEmpty();
    }

    /**
     * Turns this into a Pub/Sub connection: every reply not owed to a handshake command goes to
     * {@code handler}, and a lost connection is reported to it once. Requests are then sent
     * with a null sink.
     */
    public void pushTo(ReplySink handler) {
        this.pushHandler = handler;
    }

    /**
     * Sends one complete request frame, taking ownership of it; exactly one of the sink's methods
     * will be called. On a Pub/Sub connection the sink is null and replies go to the push handler.
     */
    public void send(ByteBuf frame, ReplySink sink) {
        if (sink == null) {
            sink = PUSHED; // ArrayDeque takes no nulls
        }
        switch (state) {
            case READY -> write(frame, sink);
            case CONNECTING -> {
                waiting.add(frame);
                waiting.add(sink);
            }
            case IDLE -> {
                waiting.add(frame);
                waiting.add(sink);
                connect();
            }
            case BACKOFF, CLOSED -> {
                frame.release();
                fail(sink, unavailable());
            }
        }
    }

    private String unavailable() {
        return "ERR backend " + address + " unavailable: " + lastError;
    }

    private void write(ByteBuf frame, ReplySink sink) {
        channel.write(frame, channel.voidPromise());
        if (sink != PUSHED) {
            inflight.add(sink);
            timer.sent();
        }
        if (!inFlushBatch) {
            inFlushBatch = true;
            flushBatch.add(this);
        }
    }

    @Override
    public void flushNow() {
        inFlushBatch = false;
        if (channel != null) {
            timer.flushed();
            channel.flush();
        }
    }

    private void connect() {
        state = State.CONNECTING;
        HostPort dialed = options.dialAddress().apply(address);
        Handler handler = new Handler();
        ChannelFuture f = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (auth.tls() != null) {
                            ch.pipeline().addLast("tls", BackendSsl.handler(auth.tls(), ch.alloc(), address.host(), address.port()));
                        }
                        ch.pipeline().addLast(new ReplyFramer(options.maxReplyLength()), handler);
                    }
                })
                .connect(new InetSocketAddress(dialed.host(), dialed.port()));
        f.addListener(done -> {
            if (state == State.CLOSED) {
                f.channel().close();
            } else if (!done.isSuccess()) {
                connectFailed(done.cause());
            } else if (auth.tls() == null) {
                connected(f.channel());
            } else {
                // Over TLS the connection is usable once the handshake is done; a refused handshake
                // is a failed connect (backoff, requests refused with its reason), not a lost connection.
                f.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(shake -> {
                    if (state == State.CLOSED) {
                        f.channel().close();
                    } else if (shake.isSuccess()) {
                        connected(f.channel());
                    } else {
                        f.channel().close();
                        connectFailed(shake.cause());
                    }
                });
            }
        });
    }

    private void connected(Channel ch) {
        channel = ch;
        state = State.READY;
        stalls.start(loop, this::checkStall);
        backoffMillis = options.minBackoffMillis();
        timer.connected();
        LOG.info("connected to backend {} ({})", address, ch.localAddress());
        if (auth.needsAuth()) {
            write(auth.user() == null ? RespWriter.command(ch.alloc(), "AUTH", auth.password())
                            : RespWriter.command(ch.alloc(), "AUTH", auth.user(), auth.password()),
                    new HandshakeSink("AUTH"));
        }
        if (auth.db() != 0) {
            write(RespWriter.command(ch.alloc(), "SELECT", Integer.toString(auth.db())), new HandshakeSink("SELECT"));
        }
        if (protocol == 3) {
            write(RespWriter.command(ch.alloc(), "HELLO", "3"), new HandshakeSink("HELLO 3"));
        }
        while (!waiting.isEmpty()) {
            write((ByteBuf) waiting.poll(), (ReplySink) waiting.poll());
        }
    }

    /** A stalled server's connection is closed and every pending request fails ({@link StallWatch}). */
    private void checkStall() {
        long stalledMillis = stalls.check(!inflight.isEmpty() && channel != null && !inflight.peek().waitsOnPurpose());
        if (stalledMillis >= 0) {
            LOG.warn("backend {} sent no reply for {} ms with {} requests pending; closing the connection",
                    address, options.stallMillis(), inflight.size());
            timer.stalled(stalledMillis);
            abort("no reply for " + options.stallMillis() + " ms");
        }
    }

    private void connectFailed(Throwable cause) {
        lastError = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        LOG.warn("cannot connect to backend {}: {}; retrying in {} ms", address, lastError, backoffMillis);
        timer.connectFailed();
        failWaiting();
        enterBackoff();
    }

    private void enterBackoff() {
        state = State.BACKOFF;
        long delay = backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, options.maxBackoffMillis());
        loop.schedule(() -> {
            if (state == State.BACKOFF) {
                state = State.IDLE;
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void failWaiting() {
        String message = unavailable();
        while (!waiting.isEmpty()) {
            ((ByteBuf) waiting.poll()).release();
            fail((ReplySink) waiting.poll(), message);
        }
    }

    private void fail(ReplySink sink, String message) {
        if (sink != PUSHED) {
            timer.failed();
            sink.onFailure(message);
        } else if (pushHandler != null) {
            pushHandler.onFailure(message);
        }
    }

    private void lost(Channel ch, String why) {
        if (ch != channel) {
            return;
        }
        channel = null;
        lastError = why;
        if (!inflight.isEmpty()) {
            LOG.warn("connection to backend {} lost ({}), failing {} pending requests", address, why, inflight.size());
        }
        String message = "ERR connection to backend " + address + " lost: " + why;
        timer.lost();
        ReplySink sink;
        while ((sink = inflight.poll()) != null) {
            sink.onFailure(message);
        }
        if (pushHandler != null) {
            pushHandler.onFailure(message);
        }
        if (state == State.READY) {
            // A dead server refuses the reconnect at once and we back off then; a server that
            // merely closed an idle connection is reconnected on the next request.
            state = State.IDLE;
        }
    }

    /** Drops the connection as a stall does: requests in flight fail with {@code why}; the next one reconnects. Loop only. */
    public void abort(String why) {
        Channel ch = channel;
        if (ch != null) {
            lost(ch, why);
            ch.close();
        }
    }

    /** Closes for good: pending requests fail, later ones are refused. */
    public void close() {
        state = State.CLOSED;
        stalls.stop();
        lastError = "proxy shutting down";
        failWaiting();
        if (channel != null) {
            channel.close();
        }
    }

    /** Reads replies of one channel; events of a channel that is no longer current are ignored. */
    private final class Handler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf reply = (ByteBuf) msg;
            if (reply.getByte(reply.readerIndex()) == '>') {
                if (pushHandler != null && ctx.channel() == channel) {
                    pushHandler.onReply(reply); // a push is never the reply to a request, whatever is in flight
                } else {
                    LOG.warn("backend {} sent a push message on a request connection; dropped", address);
                    reply.release();
                }
                return;
            }
            ReplySink sink = ctx.channel() == channel ? inflight.poll() : null;
            if (sink == null && pushHandler != null && ctx.channel() == channel) {
                sink = pushHandler;
            }
            stalls.replied();
            if (sink == null) {
                reply.release();
                LOG.error("backend {} sent a reply nobody asked for; closing the connection", address);
                ctx.close();
                return;
            }
            timer.replied(reply);
            try {
                sink.onReply(reply);
            } finally {
                timer.sinkDone();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost(ctx.channel(), "connection closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("backend {} connection error: {}", address, cause.toString());
            lost(ctx.channel(), cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            ctx.close();
        }
    }

    /** Checks the reply to a command the proxy sent itself when connecting. */
    private final class HandshakeSink implements ReplySink {
        private final String what;

        HandshakeSink(String what) {
            this.what = what;
        }

        @Override
        public void onReply(ByteBuf reply) {
            try {
                if (ReplyReader.isError(reply)) {
                    String text = reply.toString(StandardCharsets.UTF_8).trim();
                    LOG.error("backend {} refused {}: {}", address, what, text);
                    lastError = what + " refused: " + text;
                    if (channel != null) {
                        channel.close();
                    }
                }
            } finally {
                reply.release();
            }
        }

        @Override
        public void onFailure(String message) {
            // The connection died; its other sinks carry the error to clients.
        }
    }
}
