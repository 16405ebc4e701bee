package io.kvstore.proxy.session;

import io.kvstore.proxy.backend.FlushBatch;
import io.kvstore.proxy.loop.WorkerContext;
import io.kvstore.proxy.resp.ProtocolError;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RequestFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: takes framed requests, hands each to the dispatcher with a
 * {@link PendingReply} that holds its place, and writes replies strictly in request order. Owned
 * by the client's event loop, which is also the loop of every backend connection it uses.
 *
 * <p>Invariants: {@code queue} holds the replies not yet written, oldest first; only the head
 * is ever written, so a late reply holds back the ones behind it and releases them all when it
 * arrives. Each entry holds a unit of the loop's in-flight budget until it leaves ({@link ReadThrottle}
 * stops reading). After the client has gone every reply that still arrives is released, not written.
 *
 * <p>{@code held} keeps requests that may not be dispatched yet ({@link HeldRequests}: behind a
 * switch of connection kind, behind a key being moved, on a frozen slot), so a client's commands
 * still run in the order sent. {@code blocked} lists the
 * blocking commands waiting on dedicated connections, which a new map may move ({@link BlockedCalls}).
 *
 * <p>A client that shut down its sending side ({@code inputShut}) sends nothing more; the
 * connection is closed once {@code queue} is empty, so every request read before gets its reply,
 * except that a blocking command still waiting then is stopped and ends the connection, as in
 * Redis ({@link BlockedCall#abandon}).
 *
 * <p>{@code protocol} is the client's RESP version: every backend connection it uses speaks the
 * same, so replies pass through untranslated. With tracking on ({@link ClientTracking}) its
 * shared-connection requests go on the loop's tracked connections instead, and an invalidation
 * is queued like any reply, behind the replies owed so far.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements FlushBatch.Member {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final ProxyContext proxy;
    private final WorkerContext worker;
    private final CommandDispatcher dispatcher;
    private final ArrayDeque<PendingReply> queue = new ArrayDeque<>();
    private final Transaction transaction = new Transaction();
    private final HeldRequests held;
    private final BlockedCalls blocked = new BlockedCalls();
    private PubSub pubSub;
    /** CLIENT TRACKING state, made on first use. */
    private ClientTracking tracking;
    private final ClientConnections connections;
    private final long id;

    private volatile Channel channel;
    /** Its CLIENT LIST figures and idle clock; see {@link ClientInfo}. */
    private final ClientInfo info = new ClientInfo();
    private boolean closed;
    private boolean quitting;
    private boolean inputShut;
    private final ReadThrottle throttle; // when reading stops and resumes
    private boolean inFlushBatch;
    private final Login login;
    /** CLIENT REPLY: whether replies are sent; see {@link ClientReply}. */
    private final ClientReply clientReply = new ClientReply();
    /** The RESP version this client speaks (2 or 3), switched by HELLO; every reply to it is in this version. */
    private int protocol = 2;

    public ClientSession(ProxyContext proxy, WorkerContext worker, CommandDispatcher dispatcher) {
        this.proxy = proxy;
        this.worker = worker;
        this.dispatcher = dispatcher;
        this.id = proxy.nextClientId();
        this.held = new HeldRequests(this, proxy, dispatcher, queue);
        this.connections = new ClientConnections(this, worker);
        this.login = new Login(proxy.access().users(), proxy.access().connections());
        this.throttle = new ReadThrottle(worker.inFlight(), proxy.limits().maxPending());
    }

    public long id() {
        return id;
    }

    /** The RESP version of this client's replies: 2 until a HELLO 3, and again after HELLO 2 or RESET. */
    public int protocol() {
        return protocol;
    }

    /**
     * Switches the client to RESP {@code version} (HELLO, RESET). Its own backend connections
     * switch with it, in order behind what they already carry, so a reply to a later command
     * (an EXEC, a blocking pop, a Pub/Sub message) comes in the new version; the shared
     * connections are of one version each, and later requests simply go to the other ones.
     */
    void protocol(int version) {
        if (version == protocol) {
            return;
        }
        protocol = version;
        connections.protocolChanged(version); // Pub/Sub messages are made in each client's version as they are passed on
    }

    /** Who the client is: its user, and whether it has authenticated. */
    Login login() {
        return login;
    }

    public WorkerContext worker() {
        return worker;
    }

    Transaction transaction() {
        return transaction;
    }

    /** CLIENT TRACKING state, made on first use. */
    ClientTracking tracking() {
        if (tracking == null) {
            tracking = new ClientTracking(this, proxy);
        }
        return tracking;
    }

    boolean trackingOn() {
        return tracking != null && tracking.on();
    }

    /** Its name, when it connected, when it last sent a command and which: for CLIENT LIST and {@code --timeout}. */
    ClientInfo info() {
        return info;
    }

    /** Runs {@code task} on this client's event loop (at once when already there). */
    void runOnLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    /** Pub/Sub state, made on the first subscription. */
    PubSub pubSub() {
        if (pubSub == null) {
            pubSub = new PubSub(this, worker.pubSub(proxy.cluster()::rewrite));
        }
        return pubSub;
    }

    boolean subscribed() {
        return pubSub != null && pubSub.active();
    }

    /**
     * A new slot map is in place (on this client's loop): move blocked calls whose keys changed
     * group, and dispatch again a request held on a frozen slot (it is held again if the slot is
     * still frozen). Subscriptions are moved by the loop's hub.
     */
    void mapChanged(io.kvstore.config.SlotMap map) {
        if (!closed) {
            blocked.mapChanged(map);
        }
        held.mapChanged();
    }

    /** Adds this client's own connections that a slot-map switch must drain ({@link ClientConnections#busy}). Loop only. */
    void ownBusyConnections(java.util.List<io.kvstore.proxy.backend.BackendConnection> out) {
        if (!closed) {
            connections.busy(out, blocked);
        }
    }

    /** Queues a message that no request asked for (Pub/Sub), behind every reply owed so far. */
    void push(ByteBuf message) {
        if (closed) {
            message.release();
            return;
        }
        PendingReply p = new PendingReply(this);
        queue.add(p);
        throttle.queued(queue.size());
        p.onReply(message);
    }

    /** Closes the client, logging why (a Pub/Sub link was lost). */
    void closeBecause(String why) {
        if (!closed) {
            LOG.info("client {} ({}): closing: {}", id, channel.remoteAddress(), why);
            channel.close();
            close();
        }
    }

    /** RESET: back to a fresh connection's state, except for its login, which the caller resets ({@link Login#reset}). */
    void reset() {
        info.name(null);
        transaction.discard();
        if (pubSub != null) {
            pubSub.close();
            pubSub = null;
        }
        if (tracking != null) {
            tracking.off();
        }
        protocol(2);
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        info.framer(ctx.pipeline().get(RequestFramer.class));
        throttle.attach(channel, ctx.pipeline().get(RequestFramer.class));
        proxy.connectedClients().incrementAndGet();
        proxy.clients().add(this);
        if (!login.reset(proxy.access().users())) { // the default user logs in at once, if it has room
            quitting = true; // nothing it sends runs
            ctx.writeAndFlush(Replies.error(ctx.alloc(), UserConnections.error(login.user().name()))).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || quitting) { // nothing after QUIT runs, as in Redis
            ReferenceCountUtil.release(msg);
            return;
        }
        PendingReply pending = new PendingReply(this);
        queue.add(pending);
        throttle.queued(queue.size()); // before dispatch, which may answer it at once
        clientReply.requestRead(pending);
        if (msg instanceof Request request) {
            proxy.totalCommands().increment();
            info.commandRead();
            if (held.any()) {
                held.addLast(request, pending); // behind a request waiting to switch connections
            } else {
                dispatcher.dispatch(this, request, pending);
            }
        } else if (msg instanceof ProtocolError error) {
            LOG.info("client {} ({}): protocol error: {}", id, channel.remoteAddress(), error.message());
            worker.stats().protocolError(error.kind());
            pending.closeAfterReply();
            pending.onReply(Replies.error(alloc(), "ERR Protocol error: " + error.message()));
        } else {
            ReferenceCountUtil.release(msg);
            throw new IllegalArgumentException("unexpected message " + msg.getClass());
        }
    }

    /** Called by a pending reply when it completes; writes every completed reply at the head. */
    void completed(PendingReply pending) {
        if (closed) {
            pending.discard();
            return;
        }
        if (queue.peekFirst() != pending) {
            return; // an older request is still waiting; it will drain this one
        }
        boolean wrote = false;
        int before = queue.size();
        PendingReply head;
        while ((head = queue.peekFirst()) != null && head.isDone()) {
            queue.pollFirst();
            ByteBuf reply = head.takeReply();
            if (head.closeAfter()) {
                channel.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                close();
                return;
            }
            if (head.silent()) {
                reply.release();
                continue;
            }
            channel.write(reply, channel.voidPromise());
            wrote = true;
        }
        if (wrote && !inFlushBatch) {
            inFlushBatch = true;
            worker.flushBatch().add(this);
        }
        throttle.dequeued(before - queue.size(), queue.size());
        held.release();
        closeIfInputDone();
    }

    /**
     * The client shut down its sending side (the channel allows half-closure): the framer has
     * handed on every complete request before this event, so once they are all answered there
     * is nothing left to do.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            blocked.abandonAll(); // as Redis drops a client blocked at end of file
            closeIfInputDone();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Closes a half-closed client whose replies are all written. The close waits for an empty
     * write to be flushed, which comes after every reply written before it; a plain close would
     * drop replies still in the outbound buffer.
     */
    private void closeIfInputDone() {
        if (inputShut && !closed && queue.isEmpty()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            close();
        }
    }

    /** The backend connections this client's requests go on. */
    ClientConnections connections() {
        return connections;
    }

    /** The requests of this client that wait before being dispatched. */
    HeldRequests holds() {
        return held;
    }

    /** The kind of backend connection a request goes on: dedicated, or shared (tracked when tracking is on). */
    HeldRequests.Lane lane(boolean dedicated) {
        return dedicated ? HeldRequests.Lane.DEDICATED : trackingOn() ? HeldRequests.Lane.TRACKED : HeldRequests.Lane.SHARED;
    }

    /** The blocking commands of this client that wait for their replies. */
    BlockedCalls blocked() {
        return blocked;
    }

    @Override
    public void flushNow() {
        inFlushBatch = false;
        if (!closed) {
            channel.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable() && !closed) {
            LOG.warn("client {} ({}) left more than {} bytes of replies unread; closing it",
                    id, channel.remoteAddress(), proxy.limits().maxOutputBuffer());
            ctx.close();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close();
        proxy.connectedClients().decrementAndGet();
        proxy.clients().remove(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Out of (direct) memory is the proxy's trouble, not the client's: say so where operators look.
        LOG.atLevel(cause instanceof OutOfMemoryError ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.DEBUG)
                .log("client {} closed: {}", id, cause.toString());
        ctx.close();
    }

    /** Stops writing; replies still on their way are released when they arrive. */
    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        login.leave();
        throttle.close(); // every unit back, however the client ended
        if (trackingOn()) {
            worker.tracking().disabled(tracking);
        }
        connections.closeAll();
        held.close();
        blocked.clear();
        transaction.discard();
        if (pubSub != null) {
            pubSub.close();
        }
        PendingReply p;
        while ((p = queue.pollFirst()) != null) {
            p.discard();
        }
    }

    /** CLIENT REPLY's switch for this client. */
    ClientReply clientReply() {
        return clientReply;
    }

    /**
     * Closes the connection from any thread (CLIENT KILL). The client leaves the registry at
     * once: the close itself runs later on the client's loop, and a CLIENT LIST after KILL's
     * reply must not show it.
     */
    void kill() {
        proxy.clients().remove(this);
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /** This client as a line of CLIENT LIST ({@link ClientInfo#describe}); read from any loop. */
    String describe() {
        return info.describe(this, channel, pubSub, queue.size(), throttle.paused());
    }

    String remoteAddress() {
        return channel == null ? "" : ClientInfo.address(channel.remoteAddress());
    }

    String localAddress() {
        return channel == null ? "" : ClientInfo.address(channel.localAddress());
    }

    /** Closes the connection after the replies queued so far (QUIT). */
    void quitAfter(PendingReply pending) {
        quitting = true;
        pending.closeAfterReply();
    }
}
