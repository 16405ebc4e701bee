package io.kvstore.proxy.reshard;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Clients that check, while slots move, that the cluster loses nothing, serves nothing stale and
 * applies nothing twice. Writer threads own disjoint keys and write unique, increasing values
 * (SET of a sequence number, INCR, RPUSH of a sequence number, HSET of a new field per write);
 * reader threads read them through one proxy: every key ({@code crossProxy}: keys written through
 * the other proxy too), or only the keys written through that proxy.
 *
 * <p>What is checked, per key (each has a single writer, so its history is known):
 * <ul>
 *   <li>on every write reply: INCR and RPUSH answer exactly one more than the last acknowledged
 *       value (or up to as many more as writes whose outcome is unknown, after a connection broke);
 *       HSET of a new field answers 1. A write applied twice, or lost, breaks this;</li>
 *   <li>on every read: the value is never older than what was acknowledged before the read
 *       started (GET of strings and counters, LLEN, HLEN, MGET), and never newer than what was sent;</li>
 *   <li>at the end ({@link #verify}): strings and counters hold their last acknowledged value (or a
 *       later one whose outcome was unknown), lists hold every acknowledged element once and in
 *       order, hashes every acknowledged field.</li>
 * </ul>
 * A write that failed (error reply, broken connection) is counted as "unknown": it may or may
 * not have happened, and the checks allow both. Connections that break are made again to the
 * endpoint's current port ({@link #endpoint}), so a proxy can be replaced under the clients.
 *
 * <p>Threads: {@link #start} and {@link #stop} from the test thread; each worker is a daemon that
 * ends by itself after a bounded number of operations.
 */
final class Checker {

    enum Kind { STRING, COUNTER, LIST, HASH }

    /** One key and its history; writer-thread fields are read by others only after the writer ended. */
    static final class Key {
        final String name;
        final Kind kind;
        // written by the owning writer thread only
        long seq;                               // last sequence number sent
        long known;                             // COUNTER/LIST: the value/length after the last acknowledged write
        int unknownSinceAck;                    // writes of unknown outcome since the last acknowledged one
        final List<Long> ackedElements = new ArrayList<>();  // LIST/HASH: acknowledged elements/fields
        final Set<Long> unknownSeqs = new HashSet<>();        // sequence numbers whose outcome is unknown
        // read by the readers
        volatile long acked;                    // STRING: last acked seq; COUNTER: last reply; LIST: last reply; HASH: acked fields
        volatile long sent;                     // how many writes were sent (an upper bound for any read)

        Key(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
        }
    }

    /** Largest number of operations one thread does before it ends by itself. */
    static final long MAX_OPS_PER_THREAD = 2_000_000;

    private final AtomicIntegerArray ports;
    /** What the test can tell about a key when a check fails (where it is, its slot's state); for the message only. */
    private volatile java.util.function.Function<String, String> describe = k -> "";
    /** What the test can tell about the proxy on a port (its epoch); for the message only. */
    private volatile java.util.function.IntFunction<String> describeProxy = p -> "";
    private final int writers;
    private final int readers;
    private final boolean crossProxy;
    private final List<List<Key>> keysByWriter = new ArrayList<>();
    private final List<Key> all = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    final AtomicLong errorCount = new AtomicLong();

    /**
     * @param ports        the proxies' ports (endpoint i); writer w writes through endpoint w % n,
     *                     reader r reads through endpoint (r + 1) % n
     * @param crossProxy   whether readers read every key (also those written through another
     *                     proxy), or only the keys written through their own proxy
     * @param keysPerKind  keys of each kind per writer
     */
    Checker(int[] ports, int writers, int readers, int keysPerKind, boolean crossProxy) {
        this.ports = new AtomicIntegerArray(ports);
        this.writers = writers;
        this.readers = readers;
        this.crossProxy = crossProxy;
        for (int w = 0; w < writers; w++) {
            List<Key> mine = new ArrayList<>();
            for (Kind kind : Kind.values()) {
                for (int i = 0; i < keysPerKind; i++) {
                    mine.add(new Key("chk:" + kind.name().charAt(0) + ":" + w + ":" + i, kind));
                }
            }
            keysByWriter.add(mine);
            all.addAll(mine);
        }
    }

    /** Adds to failure messages what {@code key} and {@code proxy} say about a key and a proxy port at that moment. */
    void diagnostics(java.util.function.Function<String, String> key, java.util.function.IntFunction<String> proxy) {
        this.describe = key;
        this.describeProxy = proxy;
    }

    /** Points endpoint {@code i} at another proxy; clients move there when their connection breaks. */
    void endpoint(int i, int port) {
        ports.set(i, port);
    }

    void start() {
        running.set(true);
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(new Thread(() -> write(id), "checker-writer-" + w));
        }
        for (int r = 0; r < readers; r++) {
            int id = r;
            threads.add(new Thread(() -> read(id), "checker-reader-" + r));
        }
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
    }

    /** Stops the clients and waits for them (bounded). */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                violations.add(t.getName() + " did not stop within 60 s");
            }
        }
    }

    /** Every key this checker writes. */
    List<Key> keys() {
        return all;
    }

    /** Problems found so far (empty when all is well). */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** Error replies and broken connections the clients saw (first ones). */
    List<String> errors() {
        return List.copyOf(errors);
    }

    String summary() {
        return writes.get() + " writes, " + reads.get() + " reads, " + unknown.get() + " writes of unknown outcome, "
                + errorCount.get() + " errors" + (errors.isEmpty() ? "" : " (first: " + errors.peek() + ")");
    }

    private void violation(String what) {
        if (violations.size() < 50) {
            violations.add(what);
        }
    }

    private void error(String who, RuntimeException e) {
        errorCount.incrementAndGet();
        if (errors.size() < 20) {
            errors.add(who + ": " + e);
        }
    }

    private Jedis connect(int endpoint) {
        return ProxyCluster.client(ports.get(endpoint % ports.length()));
    }

    // ---------------------------------------------------------------------------------- writers

    private void write(int w) {
        SplittableRandom random = new SplittableRandom(1000 + w);
        List<Key> mine = keysByWriter.get(w);
        Jedis jedis = null;
        try {
            for (long op = 0; running.get() && op < MAX_OPS_PER_THREAD; op++) {
                if (jedis == null) {
                    try {
                        jedis = connect(w);
                        jedis.ping();
                    } catch (JedisConnectionException e) {
                        close(jedis);
                        jedis = null;
                        pause(20);
                        continue;
                    }
                }
                Key k = mine.get(random.nextInt(mine.size()));
                long seq = ++k.seq;
                k.sent = seq;
                try {
                    writeOnce(jedis, k, seq);
                    writes.incrementAndGet();
                } catch (JedisConnectionException e) {
                    unknownOutcome(k, seq);
                    error("writer " + w, e);
                    close(jedis);
                    jedis = null;
                } catch (JedisDataException e) {
                    unknownOutcome(k, seq);
                    error("writer " + w + " on " + k.name, e);
                }
            }
        } catch (RuntimeException e) {
            violation("writer " + w + " died: " + e);
        } finally {
            close(jedis);
        }
    }

    private void unknownOutcome(Key k, long seq) {
        unknown.incrementAndGet();
        k.unknownSinceAck++;
        k.unknownSeqs.add(seq);
    }

    private void writeOnce(Jedis jedis, Key k, long seq) {
        switch (k.kind) {
            case STRING -> {
                String reply = jedis.set(k.name, Long.toString(seq));
                if (!"OK".equals(reply)) {
                    violation("SET " + k.name + " " + seq + " answered " + reply);
                }
                k.acked = seq;
            }
            case COUNTER -> {
                long reply = jedis.incr(k.name);
                checkStep("INCR", k, reply);
            }
            case LIST -> {
                long reply = jedis.rpush(k.name, Long.toString(seq));
                checkStep("RPUSH " + seq, k, reply);
                k.ackedElements.add(seq);
            }
            case HASH -> {
                long reply = jedis.hset(k.name, "f" + seq, Long.toString(seq));
                if (reply != 1) {
                    violation("HSET " + k.name + " f" + seq + " (a new field) answered " + reply + ": applied twice?");
                }
                k.ackedElements.add(seq);
                k.acked = k.ackedElements.size();
            }
            default -> throw new IllegalStateException();
        }
    }

    /** INCR and RPUSH answer one more than before, plus at most the writes of unknown outcome in between. */
    private void checkStep(String what, Key k, long reply) {
        long low = k.known + 1;
        long high = k.known + 1 + k.unknownSinceAck;
        if (reply < low || reply > high) {
            violation(what + " on " + k.name + " answered " + reply + ", expected " + (low == high ? low : low + ".." + high)
                    + (reply < low ? " (an acknowledged write was lost or reordered)" : " (a write was applied twice or reordered)")
                    + "; now: " + describe.apply(k.name));
        }
        k.known = reply;
        k.unknownSinceAck = 0;
        k.acked = reply;
    }

    // ---------------------------------------------------------------------------------- readers

    /** The keys reader {@code r} reads: all, or those written through its own endpoint. */
    private List<Key> readable(int r) {
        if (crossProxy) {
            return all;
        }
        List<Key> mine = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            if (w % ports.length() == (r + 1) % ports.length()) {
                mine.addAll(keysByWriter.get(w));
            }
        }
        return mine.isEmpty() ? all : mine;
    }

    private void read(int r) {
        SplittableRandom random = new SplittableRandom(2000 + r);
        List<Key> keys = readable(r);
        Jedis jedis = null;
        int port = 0;
        try {
            for (long op = 0; running.get() && op < MAX_OPS_PER_THREAD; op++) {
                if (jedis == null) {
                    try {
                        port = ports.get((r + 1) % ports.length());
                        jedis = ProxyCluster.client(port);
                        jedis.ping();
                    } catch (JedisConnectionException e) {
                        close(jedis);
                        jedis = null;
                        pause(20);
                        continue;
                    }
                }
                try {
                    String proxyBefore = describeProxy.apply(port);
                    String via = " via proxy " + port + " (before the read: " + proxyBefore + ")";
                    if (random.nextInt(8) == 0) {
                        readMany(jedis, keys, random, via);
                    } else {
                        readOne(jedis, keys.get(random.nextInt(keys.size())), via);
                    }
                    reads.incrementAndGet();
                } catch (JedisConnectionException e) {
                    error("reader " + r, e);
                    close(jedis);
                    jedis = null;
                } catch (JedisDataException e) {
                    error("reader " + r, e);
                }
            }
        } catch (RuntimeException e) {
            violation("reader " + r + " died: " + e);
        } finally {
            close(jedis);
        }
    }

    private void readOne(Jedis jedis, Key k, String via) {
        long before = k.acked;
        long seen = switch (k.kind) {
            case STRING, COUNTER -> number(jedis.get(k.name));
            case LIST -> jedis.llen(k.name);
            case HASH -> jedis.hlen(k.name);
        };
        checkRead(k, before, seen, via);
    }

    /** MGET of a few strings and counters (split over groups by the proxy). */
    private void readMany(Jedis jedis, List<Key> keys, SplittableRandom random, String via) {
        List<Key> picked = new ArrayList<>();
        while (picked.size() < 4) {
            Key k = keys.get(random.nextInt(keys.size()));
            if ((k.kind == Kind.STRING || k.kind == Kind.COUNTER) && !picked.contains(k)) {
                picked.add(k);
            }
        }
        long[] before = new long[picked.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = picked.get(i).acked;
        }
        List<String> values = jedis.mget(picked.stream().map(k -> k.name).toArray(String[]::new));
        for (int i = 0; i < before.length; i++) {
            checkRead(picked.get(i), before[i], number(values.get(i)), " (MGET of " + picked.stream().map(p -> p.name).toList()
                    + ")" + via);
        }
    }

    private void checkRead(Key k, long before, long seen, String how) {
        if (seen < before) {
            violation("stale read" + how + " of " + k.name + " (" + k.kind + "): " + seen + " after " + before
                    + " was acknowledged; now: " + describe.apply(k.name));
        }
        long sent = k.sent;
        if (seen > sent) {
            violation("read" + how + " of " + k.name + " (" + k.kind + "): " + seen + " but only " + sent + " writes were sent");
        }
    }

    private static long number(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }

    // ---------------------------------------------------------------------------------- the end

    /**
     * After {@link #stop}: reads every key through {@code jedis} and checks that every
     * acknowledged write is there; returns the problems found (with those of the run).
     */
    List<String> verify(Jedis jedis) {
        List<String> out = new ArrayList<>(violations);
        Pipeline p = jedis.pipelined();
        List<Response<?>> replies = new ArrayList<>();
        for (Key k : all) {
            replies.add(switch (k.kind) {
                case STRING, COUNTER -> p.get(k.name);
                case LIST -> p.lrange(k.name, 0, -1);
                case HASH -> p.hgetAll(k.name);
            });
        }
        p.sync();
        for (int i = 0; i < all.size(); i++) {
            Key k = all.get(i);
            Object v = replies.get(i).get();
            String problem = switch (k.kind) {
                case STRING -> finalString(k, (String) v);
                case COUNTER -> finalCounter(k, (String) v);
                case LIST -> finalList(k, castList(v));
                case HASH -> finalHash(k, castMap(v));
            };
            if (problem != null) {
                out.add(k.name + ": " + problem);
            }
        }
        return out;
    }

    private static String finalString(Key k, String v) {
        long got = number(v);
        if (got == k.acked || k.unknownSeqs.contains(got) && got > k.acked) {
            return null;
        }
        return "holds " + v + ", but " + k.acked + " was the last acknowledged SET";
    }

    private static String finalCounter(Key k, String v) {
        long got = number(v);
        return got >= k.known && got <= k.known + k.unknownSinceAck ? null
                : "holds " + v + ", expected " + k.known + (k.unknownSinceAck == 0 ? "" : ".." + (k.known + k.unknownSinceAck));
    }

    private static String finalList(Key k, List<String> list) {
        List<Long> acked = new ArrayList<>();
        long last = 0;
        for (String s : list) {
            long e = Long.parseLong(s);
            if (e <= last) {
                return "elements out of order or twice: " + e + " after " + last;
            }
            last = e;
            if (!k.unknownSeqs.contains(e)) {
                acked.add(e);
            }
        }
        return acked.equals(k.ackedElements) ? null
                : "holds " + acked.size() + " acknowledged elements, expected " + k.ackedElements.size()
                        + " (first difference at " + firstDifference(acked, k.ackedElements) + ")";
    }

    private static String finalHash(Key k, Map<String, String> hash) {
        for (long f : k.ackedElements) {
            if (!Long.toString(f).equals(hash.get("f" + f))) {
                return "acknowledged field f" + f + " is " + hash.get("f" + f);
            }
        }
        for (String f : hash.keySet()) {
            long seq = Long.parseLong(f.substring(1));
            if (!k.ackedElements.contains(seq) && !k.unknownSeqs.contains(seq)) {
                return "field " + f + " was never written";
            }
        }
        return null;
    }

    private static int firstDifference(List<Long> a, List<Long> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Object o) {
        return (Map<String, String>) o;
    }

    private static void close(Jedis j) {
        if (j != null) {
            try {
                j.close();
            } catch (RuntimeException ignored) {
                // the connection is broken anyway
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
