package io.kvstore.proxy.loop;

import io.kvstore.config.Group;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.backend.BackendPool;
import io.kvstore.proxy.backend.FlushBatch;
import io.kvstore.proxy.pubsub.PubSubHub;
import io.kvstore.proxy.stats.BackendTimer;
import io.kvstore.proxy.stats.LoopStats;
import io.kvstore.proxy.tracking.TrackingHub;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.function.Supplier;

/**
 * Everything one worker event loop owns besides its client channels: its flush batch, its
 * backend connections, its latency figures and its share of the requests in flight. Made once per loop at start-up and only touched by that loop, which is
 * why none of it needs a lock.
 */
public final class WorkerContext {

    /**
     * Keys remembered for this loop's tracking clients before the oldest-found is invalidated, as
     * Redis's tracking-table-max-keys (default 1M) bounds its own table.
     */
    static final int TRACKING_MAX_KEYS = 1_000_000;

    private final EventLoop loop;
    private final FlushBatch flushBatch;
    private final BackendPool backends;
    private final BackendOptions options;
    private final Class<? extends Channel> channelClass;
    private final LoopStats stats;
    private TrackingHub tracking;
    private PubSubHub pubSub;
    private final InFlightBudget inFlight;

    public WorkerContext(EventLoop loop, BackendOptions options, Class<? extends Channel> channelClass, LoopStats stats) {
        this(loop, options, channelClass, stats, InFlightBudget.unbounded());
    }

    public WorkerContext(EventLoop loop, BackendOptions options, Class<? extends Channel> channelClass, LoopStats stats,
                         InFlightBudget inFlight) {
        this.loop = loop;
        this.inFlight = inFlight;
        this.stats = stats;
        this.flushBatch = new FlushBatch(loop);
        this.backends = new BackendPool(loop, flushBatch, options, channelClass, stats::backendTimer);
        this.options = options;
        this.channelClass = channelClass;
        loop.scheduleAtFixedRate(stats.hotKeys()::tick, 1, 1, java.util.concurrent.TimeUnit.SECONDS); // ends hot-key windows
    }

    /**
     * A connection of its own to one redis-server, for a client whose commands change the state
     * of the connection (MULTI, WATCH) or block it (BLPOP): such commands must not share the
     * pipelined connections. It speaks RESP {@code protocol}. The caller closes it. Never failed
     * for stalling: for connections that wait for pushes (Pub/Sub, invalidations).
     */
    public BackendConnection dedicated(Group group, int protocol) {
        return dedicated(group, protocol, false);
    }

    /**
     * The same; with {@code watchStalls}, requests pending with no reply for
     * {@code --backend-stall-ms} fail, as on the shared connections, except a blocking command,
     * which waits on purpose (a transaction on a frozen server must fail, not hang).
     */
    public BackendConnection dedicated(Group group, int protocol, boolean watchStalls) {
        return new BackendConnection(group.master(), group.auth(), loop, flushBatch, options, channelClass, protocol, watchStalls,
                BackendTimer.NONE); // a client's own connection: a blocking command waits there on purpose, not backend latency
    }

    /** This loop's share of {@code --max-requests-in-flight}, which its clients take from and give back to. */
    public InFlightBudget inFlight() {
        return inFlight;
    }

    /** This loop's latency and call figures. */
    public LoopStats stats() {
        return stats;
    }

    public EventLoop loop() {
        return loop;
    }

    public FlushBatch flushBatch() {
        return flushBatch;
    }

    public BackendPool backends() {
        return backends;
    }

    /** This loop's client-side caching hub, made when the first client of the loop turns tracking on. */
    public TrackingHub tracking() {
        if (tracking == null) {
            tracking = new TrackingHub(this::dedicated, ByteBufAllocator.DEFAULT, TRACKING_MAX_KEYS);
        }
        return tracking;
    }

    /**
     * This loop's Pub/Sub hub (one subscribed connection per group, shared by the loop's
     * subscribers), made when the first client of the loop subscribes; {@code rules}: the
     * cluster's key rewrite rules now.
     */
    public PubSubHub pubSub(Supplier<RewriteRules> rules) {
        if (pubSub == null) {
            pubSub = new PubSubHub(this::dedicated, ByteBufAllocator.DEFAULT, rules, loop);
        }
        return pubSub;
    }

    /** The Pub/Sub hub if a client of this loop ever subscribed, else null. */
    public PubSubHub pubSubIfAny() {
        return pubSub;
    }

    /** The hub if a client of this loop ever tracked, else null: loops without tracking pay nothing. */
    public TrackingHub trackingIfAny() {
        return tracking;
    }
}
