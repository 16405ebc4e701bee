package io.kvstore.proxy.backend;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.stats.BackendTimer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend connections of one event loop: {@code connectionsPerLoop} to each redis-server for
 * each RESP version, made on first use (a connection does not connect before its first request,
 * so a version no client speaks costs nothing). Confined to its loop. A client's requests go on a
 * connection of its own RESP version: the replies then reach it untranslated.
 *
 * <p>For the hot path the connections of the groups of the newest slot map seen are kept in an
 * array by group index, rebuilt only when a different map instance of at least the same epoch
 * shows up, so routing a request costs an array load, not a hash lookup. A client always uses
 * the same connection to a given backend ({@code clientSeq} picks it), so its own commands reach
 * that backend in order.
 *
 * <p>When a new map no longer names a server, its connections are <em>retired</em>, not closed:
 * every request already written on them still gets its reply. A retired server's connections
 * are closed once none has a request in flight and none has been used for a grace period
 * longer than a connect can take (a request that was waiting for a connect has then been
 * written or failed), or, at the latest, after {@link #DRAIN_LIMIT_MILLIS}. A request routed by
 * an older map snapshot (a split still sending its fragments) uses the retired connection, or
 * a fresh retired one, and never disturbs the cache of the newest map.
 *
 * <p>Invariant: an address is in at most one of {@code byAddress} (named by the newest map) and
 * {@code retiring}.
 */
public final class BackendPool {

    private static final Logger LOG = LoggerFactory.getLogger(BackendPool.class);

    /** Longest wait for the replies of a retired server before its connections are closed anyway. */
    static final long DRAIN_LIMIT_MILLIS = 60_000;

    /** How often retired connections are checked. */
    static final long CHECK_EVERY_MILLIS = 100;

    private final EventLoop loop;
    private final java.util.function.Function<HostPort, BackendTimer> timers;
    private final FlushBatch flushBatch;
    private final BackendOptions options;
    private final Class<? extends Channel> channelClass;
    private final Map<HostPort, BackendConnection[]> byAddress = new HashMap<>();
    private final Map<HostPort, Retired> retiring = new HashMap<>();

    private SlotMap cachedMap;
    private BackendConnection[][] cachedGroups;
    private boolean checkScheduled;

    /** Connections to a server the newest map does not name any more. */
    private static final class Retired {
        final BackendConnection[] conns;
        final long retiredAt;
        long lastUse;

        Retired(BackendConnection[] conns, long now) {
            this.conns = conns;
            this.retiredAt = now;
            this.lastUse = now;
        }
    }

    public BackendPool(EventLoop loop, FlushBatch flushBatch, BackendOptions options, Class<? extends Channel> channelClass) {
        this(loop, flushBatch, options, channelClass, a -> BackendTimer.NONE);
    }

    /** {@code timers}: a backend-time recorder for each new connection to a server. */
    public BackendPool(EventLoop loop, FlushBatch flushBatch, BackendOptions options, Class<? extends Channel> channelClass,
                       java.util.function.Function<HostPort, BackendTimer> timers) {
        this.timers = timers;
        this.loop = loop;
        this.flushBatch = flushBatch;
        this.options = options;
        this.channelClass = channelClass;
    }

    /**
     * The master connection of group {@code groupIndex} of {@code map} for the client numbered
     * {@code clientSeq}, speaking RESP {@code protocol}.
     */
    public BackendConnection master(SlotMap map, int groupIndex, int clientSeq, int protocol) {
        if (map != cachedMap) {
            if (cachedMap != null && map.epoch() < cachedMap.epoch()) {
                return pick(stale(map.groups().get(groupIndex)), clientSeq, protocol);
            }
            rebuild(map);
        }
        return pick(cachedGroups[groupIndex], clientSeq, protocol);
    }

    /** The first half of a server's connections speak RESP2, the second half RESP3. */
    private static BackendConnection pick(BackendConnection[] conns, int clientSeq, int protocol) {
        int perVersion = conns.length / 2;
        return conns[(protocol == 3 ? perVersion : 0) + (clientSeq & Integer.MAX_VALUE) % perVersion];
    }

    /**
     * Makes {@code map} the newest map if it is at least as new as the cached one, retiring the
     * connections of servers it no longer names. Lets the owner of the loop apply a new map
     * before any request arrives (an idle loop would otherwise keep old connections open).
     * Must be called on this pool's loop.
     */
    public void refresh(SlotMap map) {
        if (map != cachedMap && (cachedMap == null || map.epoch() >= cachedMap.epoch())) {
            rebuild(map);
        }
    }

    private void rebuild(SlotMap map) {
        List<Group> groups = map.groups();
        BackendConnection[][] next = new BackendConnection[groups.size()][];
        Set<HostPort> named = new HashSet<>();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            named.add(g.master());
            BackendConnection[] conns = byAddress.get(g.master());
            if (conns == null) {
                Retired back = retiring.remove(g.master());
                conns = back != null ? back.conns : open(g);
                byAddress.put(g.master(), conns);
            }
            next[i] = conns;
        }
        long now = System.nanoTime();
        for (Iterator<Map.Entry<HostPort, BackendConnection[]>> it = byAddress.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<HostPort, BackendConnection[]> e = it.next();
            if (!named.contains(e.getKey())) {
                it.remove();
                retiring.put(e.getKey(), new Retired(e.getValue(), now));
                LOG.info("backend {} left the slot map (epoch {}); closing its connections once their replies are in",
                        e.getKey(), map.epoch());
            }
        }
        cachedGroups = next;
        cachedMap = map;
        scheduleCheck();
    }

    /** Connections for a group of a map older than the cached one: current ones, else retired ones, else new retired ones. */
    private BackendConnection[] stale(Group g) {
        BackendConnection[] conns = byAddress.get(g.master());
        if (conns != null) {
            return conns;
        }
        long now = System.nanoTime();
        Retired r = retiring.computeIfAbsent(g.master(), a -> new Retired(open(g), now));
        r.lastUse = now;
        scheduleCheck();
        return r.conns;
    }

    private BackendConnection[] open(Group group) {
        int perVersion = options.connectionsPerLoop();
        BackendConnection[] conns = new BackendConnection[2 * perVersion];
        for (int i = 0; i < conns.length; i++) {
            conns[i] = new BackendConnection(group.master(), group.auth(), loop, flushBatch, options, channelClass,
                    i < perVersion ? 2 : 3, true, timers.apply(group.master()));
        }
        return conns;
    }

    private void scheduleCheck() {
        if (!checkScheduled && !retiring.isEmpty()) {
            checkScheduled = true;
            loop.schedule(this::checkRetiring, CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void checkRetiring() {
        checkScheduled = false;
        long now = System.nanoTime();
        long grace = TimeUnit.MILLISECONDS.toNanos(options.connectTimeoutMillis() + CHECK_EVERY_MILLIS);
        long limit = TimeUnit.MILLISECONDS.toNanos(DRAIN_LIMIT_MILLIS);
        for (Iterator<Map.Entry<HostPort, Retired>> it = retiring.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<HostPort, Retired> e = it.next();
            Retired r = e.getValue();
            int inflight = 0;
            for (BackendConnection c : r.conns) {
                inflight += c.inflight();
            }
            boolean drained = inflight == 0 && now - r.lastUse >= grace;
            boolean overdue = now - r.retiredAt >= limit;
            if (drained || overdue) {
                if (!drained) {
                    LOG.warn("backend {} left the slot map {} s ago and still owes {} replies; closing its connections",
                            e.getKey(), TimeUnit.NANOSECONDS.toSeconds(now - r.retiredAt), inflight);
                }
                for (BackendConnection c : r.conns) {
                    c.close();
                }
                it.remove();
            }
        }
        scheduleCheck();
    }

    /** Number of servers whose connections are retired but not closed yet; for tests and stats. */
    public int retiringCount() {
        return retiring.size();
    }

    /** Every connection, retired ones included, for shutdown and stats. */
    public List<BackendConnection> all() {
        List<BackendConnection> out = new ArrayList<>();
        byAddress.values().forEach(a -> out.addAll(List.of(a)));
        retiring.values().forEach(r -> out.addAll(List.of(r.conns)));
        return out;
    }

    /**
     * On the loop: the drain of a slot-map switch. PINGs each busy connection of this pool and each
     * busy one of {@code others} (connections of this loop the pool does not hold: tracking, a
     * client's own); {@code drained} runs on the loop once every one has answered. The caller drops
     * what is still unanswered when its time is up ({@link ConnectionDrain#dropUnanswered}).
     */
    public ConnectionDrain drain(Collection<BackendConnection> others, Runnable drained) {
        List<BackendConnection> candidates = all();
        candidates.addAll(others);
        return ConnectionDrain.start(candidates, drained);
    }

    public void closeAll() {
        all().forEach(BackendConnection::close);
        byAddress.clear();
        retiring.clear();
    }
}
