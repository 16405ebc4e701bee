package io.kvstore.proxy.it.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A client with a client-side cache, as RESP3 client libraries build one: CLIENT TRACKING on,
 * values cached on first read, evicted by {@code invalidate} pushes (a null key list empties the
 * cache). Reads are answered from the cache when present, which is what makes a lost
 * invalidation visible: the value stays old forever. One thread.
 */
public final class CachingReader implements AutoCloseable {

    private final RespSocket socket;
    private final Map<String, String> cache = new HashMap<>();
    private long invalidations;
    private long flushes;

    public CachingReader(int port) {
        socket = RespSocket.connect(port);
        socket.call("HELLO", "3");
        Object ok = socket.call("CLIENT", "TRACKING", "on");
        if (!"OK".equals(ok)) {
            throw new IllegalStateException("CLIENT TRACKING on answered " + ok);
        }
    }

    /** The value of {@code key}: cached, or read (and cached). */
    public String get(String key) {
        if (cache.containsKey(key)) {
            return cache.get(key);
        }
        socket.command("GET", key);
        Object value = readReply();
        if (value instanceof RespSocket.Error e) {
            throw new IllegalStateException("GET " + key + ": " + e);
        }
        cache.put(key, (String) value);
        return (String) value;
    }

    /**
     * Applies every invalidation the proxy queued for this client before now: a PING's reply comes
     * after them.
     */
    public void drain() {
        socket.command("PING");
        readReply();
    }

    /** Keys whose cached value differs from {@code truth} (read from the servers): stale entries. */
    public List<String> staleAgainst(Map<String, String> truth) {
        List<String> stale = new ArrayList<>();
        cache.forEach((k, v) -> {
            if (truth.containsKey(k) && !java.util.Objects.equals(truth.get(k), v)) {
                stale.add(k + " cached " + v + ", stored " + truth.get(k));
            }
        });
        return stale;
    }

    public boolean cached(String key) {
        return cache.containsKey(key);
    }

    public int size() {
        return cache.size();
    }

    public long invalidations() {
        return invalidations;
    }

    /** How many times the whole cache was dropped (a null invalidate). */
    public long flushes() {
        return flushes;
    }

    private Object readReply() {
        while (true) {
            Object r = socket.read();
            if (!(r instanceof RespSocket.Push push)) {
                return r;
            }
            if (push.size() == 2 && "invalidate".equals(push.get(0))) {
                invalidations++;
                if (push.get(1) == null) {
                    flushes++;
                    cache.clear();
                } else {
                    for (Object k : (List<?>) push.get(1)) {
                        cache.remove((String) k);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
