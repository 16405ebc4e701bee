package io.kvstore.proxy.tracking;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.RewrittenKey;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Client-side caching (CLIENT TRACKING) for the clients of one event loop. Confined to that loop.
 *
 * <p>Redis tracks keys per connection, and the proxy's backend connections are shared, so the
 * proxy keeps the per-client table itself. For each redis-server a <em>sink</em> connection
 * (RESP3) receives every invalidation; the requests of tracking clients go on one <em>tracked</em>
 * connection per server and RESP version, made with {@code CLIENT TRACKING on REDIRECT <sink>},
 * so the server tracks every key read on it. When a tracking client sends a read, the proxy
 * remembers which keys it read ({@link #remember}) before the request leaves; when an invalidation
 * for a key arrives, every client that read it is told and forgotten for that key, as Redis
 * forgets a key once it has sent its invalidation. A client's invalidation is queued behind every
 * reply it is owed, so it can never arrive before the reply of the read it invalidates.
 *
 * <p>Where the proxy cannot know what a client may have cached it tells the client to drop
 * everything (an {@code invalidate} with a null key list): when a sink or tracked connection is
 * lost, when a server flushes, and when a new slot map moves slots or changes a group's master
 * (the new owner never saw those reads). Broadcast clients (BCAST) are served by asking each sink
 * for every key's changes ({@code BCAST} with no prefix) while any broadcast client exists, and
 * matching prefixes here, because Redis refuses overlapping prefixes on one connection.
 *
 * <p>Invariant: {@code readers} and {@code keysOf} mirror each other; a sink is in
 * {@code sinks} until its connection is lost, and a tracked connection exists only for a server
 * whose sink knows its id.
 */
public final class TrackingHub {

    /** Opens a connection to a group's master in the given RESP version; the hub closes it. */
    private final BiFunction<Group, Integer, BackendConnection> connections;
    private final ByteBufAllocator alloc;
    private final int maxKeys;
    private final Map<HostPort, Sink> sinks = new HashMap<>();
    private final Map<ByteBuffer, Set<TrackingClient>> readers = new HashMap<>();
    private final Map<TrackingClient, Set<ByteBuffer>> keysOf = new HashMap<>();
    private final Set<TrackingClient> clients = new LinkedHashSet<>();
    private final Set<TrackingClient> broadcast = new LinkedHashSet<>();
    private SlotMap lastMap;
    private RewriteRules lastRules;

    /** The invalidation receiver of one redis-server, with the tracked connections that redirect to it. */
    private final class Sink implements ReplySink {
        final Group group;
        final BackendConnection connection;
        final List<Runnable> whenReady = new ArrayList<>();
        final BackendConnection[] tracked = new BackendConnection[2]; // RESP2, RESP3
        long id = -1;
        boolean lost;
        boolean broadcasting;

        Sink(Group group) {
            this.group = group;
            this.connection = connections.apply(group, 3);
            connection.pushTo(this);
            connection.send(frame("CLIENT", "ID"), new ReplySink() {
                @Override
                public void onReply(ByteBuf reply) {
                    if (ReplyReader.type(reply) == ':') {
                        id = ReplyReader.number(reply, reply.readerIndex());
                    }
                    reply.release();
                    ready();
                }

                @Override
                public void onFailure(String message) {
                    ready(); // lost() ends the sink; waiters go on, their reads untracked and flushed
                }
            });
            broadcast(!broadcast.isEmpty());
        }

        void ready() {
            List<Runnable> waiting = new ArrayList<>(whenReady);
            whenReady.clear();
            waiting.forEach(Runnable::run);
        }

        void broadcast(boolean on) {
            if (on != broadcasting) {
                broadcasting = on;
                connection.send(on ? frame("CLIENT", "TRACKING", "on", "BCAST") : frame("CLIENT", "TRACKING", "off"), ReplySink.discarding());
            }
        }

        BackendConnection tracked(int protocol) {
            int i = protocol == 3 ? 1 : 0;
            if (tracked[i] == null) {
                BackendConnection c = connections.apply(group, protocol);
                c.pushTo(new ReplySink() { // only pushes (e.g. tracking-redir-broken) and the loss come here
                    @Override
                    public void onReply(ByteBuf push) {
                        push.release();
                    }

                    @Override
                    public void onFailure(String message) {
                        lost(Sink.this);
                    }
                });
                c.send(frame("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(id)), ReplySink.discarding());
                tracked[i] = c;
            }
            return tracked[i];
        }

        /** Every invalidation for this server arrives here. */
        @Override
        public void onReply(ByteBuf push) {
            try {
                invalidated(push);
            } finally {
                push.release();
            }
        }

        @Override
        public void onFailure(String message) {
            lost(this);
        }

        void close() {
            connection.pushTo(null);
            connection.close();
            for (BackendConnection c : tracked) {
                if (c != null) {
                    c.pushTo(null);
                    c.close();
                }
            }
        }
    }

    public TrackingHub(BiFunction<Group, Integer, BackendConnection> connections, ByteBufAllocator alloc, int maxKeys) {
        this.connections = connections;
        this.alloc = alloc;
        this.maxKeys = maxKeys;
    }

    /** A client turned tracking on (again, possibly with other options). */
    public void enabled(TrackingClient client, boolean bcast) {
        clients.add(client);
        boolean wasBroadcasting = !broadcast.isEmpty();
        if (bcast) {
            broadcast.add(client);
        }
        if (wasBroadcasting != !broadcast.isEmpty()) {
            sinks.values().forEach(s -> s.broadcast(!broadcast.isEmpty()));
        }
    }

    /** A client turned tracking off or went away: it is forgotten everywhere. */
    public void disabled(TrackingClient client) {
        clients.remove(client);
        Set<ByteBuffer> keys = keysOf.remove(client);
        if (keys != null) {
            for (ByteBuffer k : keys) {
                Set<TrackingClient> who = readers.get(k);
                if (who != null && who.remove(client) && who.isEmpty()) {
                    readers.remove(k);
                }
            }
        }
        if (broadcast.remove(client) && broadcast.isEmpty()) {
            sinks.values().forEach(s -> s.broadcast(false));
        }
    }

    /**
     * Makes sure every group of {@code map} has a sink that knows its id, then runs {@code ready}
     * (at once when they all do). A sink that cannot connect counts as ready: reads of its group
     * are then answered untracked and followed by a flush (see {@link #connection}).
     */
    public void prepare(SlotMap map, Runnable ready) {
        lastMap = lastMap == null ? map : lastMap;
        int[] left = {0};
        List<Sink> waiting = new ArrayList<>();
        for (Group g : map.groups()) {
            Sink s = sink(g);
            if (s.id < 0 && !s.lost) {
                waiting.add(s);
            }
        }
        if (waiting.isEmpty()) {
            ready.run();
            return;
        }
        left[0] = waiting.size();
        for (Sink s : waiting) {
            s.whenReady.add(() -> {
                if (--left[0] == 0) {
                    ready.run();
                }
            });
        }
    }

    private Sink sink(Group g) {
        Sink s = sinks.get(g.master());
        if (s == null) {
            s = new Sink(g);
            sinks.put(g.master(), s);
        }
        return s;
    }

    /**
     * The connection a tracking client's request for group {@code group} of {@code map} goes on,
     * in RESP {@code protocol}; null when the group's sink has no id (not connected yet, or lost):
     * the caller then sends the request untracked and flushes the client after its reply.
     */
    public BackendConnection connection(SlotMap map, int group, int protocol) {
        Sink s = sink(map.groups().get(group));
        return s.id < 0 || s.lost ? null : s.tracked(protocol);
    }

    /** The sink id of the server at {@code address}, for a dedicated connection to redirect to; -1 when unknown. */
    public long sinkId(HostPort address) {
        Sink s = sinks.get(address);
        return s == null || s.lost ? -1 : s.id;
    }

    /** {@code client} is about to read {@code key}: tell it when the key changes. */
    public void remember(TrackingClient client, byte[] key) {
        ByteBuffer k = ByteBuffer.wrap(key);
        if (readers.computeIfAbsent(k, x -> new LinkedHashSet<>(2)).add(client)) {
            keysOf.computeIfAbsent(client, x -> new HashSet<>()).add(k);
        }
        if (readers.size() > maxKeys) {
            evictOne();
        }
    }

    /** {@code client} changes {@code key} itself and asked not to hear of its own writes (NOLOOP). */
    public void forget(TrackingClient client, byte[] key) {
        ByteBuffer k = ByteBuffer.wrap(key);
        Set<TrackingClient> who = readers.get(k);
        if (who != null && who.remove(client)) {
            if (who.isEmpty()) {
                readers.remove(k);
            }
            Set<ByteBuffer> mine = keysOf.get(client);
            if (mine != null) {
                mine.remove(k);
            }
        }
    }

    /** Past the limit the oldest-found key is invalidated for its readers, as Redis does past tracking-table-max-keys. */
    private void evictOne() {
        Iterator<ByteBuffer> it = readers.keySet().iterator();
        ByteBuffer k = it.next();
        deliver(keysChanged(List.of(k.array())));
    }

    /** Whether any client of this loop tracks (so a new map must be checked). */
    public boolean active() {
        return !clients.isEmpty();
    }

    /**
     * A new slot map is in place: if it moves slots between groups or changes a group's master,
     * every tracking client drops its cache (the new owner never saw those reads), and sinks of
     * servers that left are closed; if it comes with other key rewrite rules ({@code rules}, null
     * for none), every tracking client drops its cache too.
     */
    public void mapChanged(SlotMap map, RewriteRules rules) {
        SlotMap before = lastMap;
        lastMap = map;
        boolean bumped = !Objects.equals(rules, lastRules); // keys of a bumped pattern are gone: no invalidation says so
        lastRules = rules;
        if (bumped && before != null) {
            flushAll();
        }
        if (before == null || !movesData(before, map)) {
            return;
        }
        Set<HostPort> named = new HashSet<>();
        map.groups().forEach(g -> named.add(g.master()));
        sinks.entrySet().removeIf(e -> {
            if (!named.contains(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        flushAll();
    }

    /** Whether {@code next} gives a slot to another group, or a group another master, than {@code before}. */
    static boolean movesData(SlotMap before, SlotMap next) {
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            Group a = before.groupOf(slot);
            Group b = next.groupOf(slot);
            if (!a.id().equals(b.id()) || !a.master().equals(b.master())) {
                return true;
            }
        }
        return false;
    }

    private void lost(Sink s) {
        if (s.lost) {
            return;
        }
        s.lost = true;
        sinks.remove(s.group.master(), s);
        s.close();
        s.ready();
        flushAll(); // what the server tracked for us is gone with its connections
    }

    /** Every tracking client of this loop drops every cached key. */
    public void flushAll() {
        readers.clear();
        keysOf.clear();
        for (TrackingClient c : new ArrayList<>(clients)) {
            c.invalidate(null);
        }
    }

    private void invalidated(ByteBuf push) {
        int at = push.readerIndex();
        if (ReplyReader.type(push) != '>' || ReplyReader.number(push, at) != 2) {
            return;
        }
        at = ReplyReader.afterLine(push, at);
        byte[] kind = ReplyReader.bulk(push, at);
        if (kind == null || !new String(kind, StandardCharsets.US_ASCII).equals("invalidate")) {
            return;
        }
        at = ReplyReader.end(push, at);
        if (ReplyReader.isNull(push, at)) {
            flushAll(); // FLUSHALL or FLUSHDB on the server
            return;
        }
        long n = ReplyReader.number(push, at);
        at = ReplyReader.afterLine(push, at);
        List<ByteBuffer> keys = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            keys.add(ByteBuffer.wrap(ReplyReader.bulk(push, at)));
            at = ReplyReader.end(push, at);
        }
        deliver(keysChanged(keys.stream().map(ByteBuffer::array).toList()));
    }

    /** The clients to tell of {@code keys}, each with the keys it read or broadcasts; they are forgotten for those keys. */
    private Map<TrackingClient, List<byte[]>> keysChanged(List<byte[]> keys) {
        Map<TrackingClient, List<byte[]>> out = new LinkedHashMap<>();
        for (byte[] stored : keys) {
            ByteBuffer k = ByteBuffer.wrap(stored);
            byte[] key = RewrittenKey.logical(stored); // the name the client read: key rewrite's stored names never reach it
            Set<TrackingClient> who = readers.remove(k);
            if (who != null) {
                for (TrackingClient c : who) {
                    out.computeIfAbsent(c, x -> new ArrayList<>()).add(key);
                    Set<ByteBuffer> mine = keysOf.get(c);
                    if (mine != null) {
                        mine.remove(k);
                    }
                }
            }
            for (TrackingClient c : broadcast) {
                if (c.broadcastMatches(key)) {
                    List<byte[]> list = out.computeIfAbsent(c, x -> new ArrayList<>());
                    if (list.isEmpty() || list.get(list.size() - 1) != key) {
                        list.add(key);
                    }
                }
            }
        }
        return out;
    }

    private static void deliver(Map<TrackingClient, List<byte[]>> changed) {
        changed.forEach(TrackingClient::invalidate);
    }

    /** Every connection the hub holds, for the drain barrier of a map change. */
    public List<BackendConnection> connections() {
        List<BackendConnection> out = new ArrayList<>();
        for (Sink s : sinks.values()) {
            for (BackendConnection c : s.tracked) {
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Number of keys remembered for this loop's clients; for INFO. */
    public int trackedKeys() {
        return readers.size();
    }

    public void closeAll() {
        sinks.values().forEach(Sink::close);
        sinks.clear();
    }

    private ByteBuf frame(String... words) {
        return RespWriter.command(alloc, words);
    }
}
