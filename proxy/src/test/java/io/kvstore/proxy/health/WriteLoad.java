package io.kvstore.proxy.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One client writing through a proxy, in a loop: {@code SET key tag:i} over its own keys (no
 * other writer touches them), with i growing. Remembers, per key, the last write acknowledged, so
 * that afterwards {@link #lost} can tell which acknowledged writes are missing; and when errors
 * stopped, so that the outage can be measured. A reply that never comes counts as a hang (the
 * socket timeout is 10 s).
 */
final class WriteLoad implements AutoCloseable {

    private final int port;
    private final List<String> keys;
    private final String tag;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong hangs = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile long lastErrorAt;
    private volatile long firstOkAfterError;
    private volatile long firstErrorAt;

    WriteLoad(int port, List<String> keys, String tag) {
        this.port = port;
        this.keys = List.copyOf(keys);
        this.tag = tag;
        this.thread = new Thread(this::run, "write-load-" + tag);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Jedis j = FailoverFixture.client(port);
        long i = 0;
        try {
            while (!stop.get()) {
                i++;
                String key = keys.get((int) (i % keys.size()));
                try {
                    j.set(key, tag + ":" + i);
                    acked.put(key, i);
                    ok.incrementAndGet();
                    if (lastErrorAt != 0 && firstOkAfterError == 0) {
                        firstOkAfterError = System.currentTimeMillis();
                    }
                } catch (JedisDataException e) {
                    error(e.getMessage());
                } catch (JedisConnectionException e) {
                    if (e.getCause() instanceof java.net.SocketTimeoutException) {
                        hangs.incrementAndGet();
                    }
                    error("connection: " + e.getMessage());
                    j.close();
                    FailoverFixture.sleep(20);
                    j = FailoverFixture.client(port);
                }
            }
        } finally {
            j.close();
        }
    }

    private void error(String message) {
        long now = System.currentTimeMillis();
        errors.incrementAndGet();
        lastError.set(message);
        if (firstErrorAt == 0) {
            firstErrorAt = now;
        }
        lastErrorAt = now;
        firstOkAfterError = 0;
        FailoverFixture.sleep(5); // do not spin on a down group
    }

    long ok() {
        return ok.get();
    }

    long errors() {
        return errors.get();
    }

    long hangs() {
        return hangs.get();
    }

    String lastError() {
        return lastError.get();
    }

    long firstErrorAt() {
        return firstErrorAt;
    }

    /** When writes succeeded again after the last error (0: never failed, or not yet recovered). */
    long recoveredAt() {
        return firstOkAfterError;
    }

    /** Waits (bounded) until {@code n} more writes have been acknowledged. */
    void awaitMore(long n) {
        long target = ok.get() + n;
        FailoverFixture.await(n + " more acknowledged writes by " + tag + " (errors " + errors + ", last: " + lastError + ")",
                () -> ok.get() >= target);
    }

    /** Keys whose last acknowledged write is not what a proxy on {@code port} reads now. */
    List<String> lost(int readPort) {
        List<String> out = new ArrayList<>();
        try (Jedis j = FailoverFixture.client(readPort)) {
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                String v = j.get(e.getKey());
                long seen = v == null || !v.startsWith(tag + ":") ? -1 : Long.parseLong(v.substring(tag.length() + 1));
                if (seen < e.getValue()) { // a later, unacknowledged write may have landed: that is not a loss
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return tag + ": " + ok + " ok, " + errors + " errors, " + hangs + " hangs, last error: " + lastError;
    }
}
