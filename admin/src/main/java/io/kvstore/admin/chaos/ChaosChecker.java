package io.kvstore.admin.chaos;

import io.kvstore.admin.chaos.CheckerConn.RespError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lost/stale checker of {@code scripts/chaos.sh}, runnable from the tarball's {@code lib/}
 * with nothing but the JDK (raw RESP2 over a socket, no client library):
 *
 * <pre>java -cp 'lib/*' io.kvstore.admin.chaos.ChaosChecker --ports 27000,27001,27002 --stop-file F [--cache] ...</pre>
 *
 * <p>The model is the one of the resharding tests' {@code Checker}, reduced to registers so that
 * every write also tells what it overwrote: each writer thread owns its keys and writes strictly
 * increasing sequence numbers with {@code SET key seq GET}. The {@code GET} part returns the
 * previous value, so every write checks that the last acknowledged one is still there: a smaller
 * previous value is a <em>loss event</em> (acknowledged writes {@code (base, top]} are gone), a
 * previous value that was never sent is a <em>phantom</em>. Reader threads {@code GET} (and now and
 * then {@code MGET} four keys, split over groups by the proxy) through another proxy than the
 * writer's; a read older than what was acknowledged before the read started is <em>suspect</em>.
 * At the end every key is read once more (a loss the writers did not see yet), and each suspect
 * read is classified: explained by a loss event of its key (it read exactly the base the data fell
 * back to, and what it should have seen was among the lost writes), a miss in cache mode (nil), or
 * else <b>stale</b> — an older value served while a newer acknowledged one was still stored.
 *
 * <p>A write that failed (error reply, timeout, broken connection) has an unknown outcome: both
 * are allowed afterwards. Clients move to the next proxy when their connection breaks.
 *
 * <p>Output (stdout): one {@code checker: ...} line of counts, then the first findings; a
 * timeline file of ops and errors per 100 ms ({@code --timeline}). Exit 0 once the run is over
 * and verified (the caller judges the counts), 2 on a usage error.
 *
 * <p>Threads: the main thread starts daemon writer and reader threads, polls for the stop file,
 * stops them (bounded) and verifies; key state is written by its writer only and read by the
 * others through volatile fields, or after the writers ended.
 */
public final class ChaosChecker {

    /** One register: a key written by one writer thread. */
    static final class Key {
        final String name;
        long seq;                                  // last sequence number sent (writer only)
        volatile long acked;                       // last acknowledged sequence number
        volatile long sent;                        // last sequence number sent (readers' upper bound)
        final Set<Long> unknown = ConcurrentHashMap.newKeySet(); // sent, outcome unknown
        final List<long[]> losses = new java.util.concurrent.CopyOnWriteArrayList<>(); // {base, top, atMillis}

        Key(String name) {
            this.name = name;
        }
    }

    /** A read older than what was acknowledged before it started. */
    record Suspect(Key key, long seen, long before, long atMillis, int port) { }

    private final int[] ports;
    private final boolean cache;
    private final int writers;
    private final int readers;
    private final int socketTimeoutMs;
    private final List<List<Key>> keysByWriter = new ArrayList<>();
    private final List<Key> all = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Suspect> suspects = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> phantoms = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Long, LongAdder[]> timeline = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong unknownWrites = new AtomicLong();
    private final AtomicLong phantomCount = new AtomicLong();

    ChaosChecker(int[] ports, int writers, int readers, int keysPerWriter, boolean cache, int socketTimeoutMs, String prefix) {
        this.ports = ports;
        this.writers = writers;
        this.readers = readers;
        this.cache = cache;
        this.socketTimeoutMs = socketTimeoutMs;
        for (int w = 0; w < writers; w++) {
            List<Key> mine = new ArrayList<>();
            for (int i = 0; i < keysPerWriter; i++) {
                mine.add(new Key(prefix + ":" + w + ":" + i));
            }
            keysByWriter.add(mine);
            all.addAll(mine);
        }
    }

    public static void main(String[] args) throws Exception {
        String portList = null;
        String stopFile = null;
        String timelineFile = null;
        String prefix = "chaos";
        int writers = 6;
        int readers = 6;
        int keys = 50;
        int timeoutMs = 15_000;
        long maxSeconds = 3600;
        boolean cache = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--ports" -> portList = args[++i];
                case "--stop-file" -> stopFile = args[++i];
                case "--timeline" -> timelineFile = args[++i];
                case "--prefix" -> prefix = args[++i];
                case "--writers" -> writers = Integer.parseInt(args[++i]);
                case "--readers" -> readers = Integer.parseInt(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--timeout-ms" -> timeoutMs = Integer.parseInt(args[++i]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                case "--cache" -> cache = true;
                default -> {
                    System.err.println("checker: unknown option " + a);
                    System.err.println("usage: ChaosChecker --ports P1,P2,... --stop-file F [--timeline F] [--writers 6]"
                            + " [--readers 6] [--keys 50] [--timeout-ms 15000] [--max-seconds 3600] [--prefix chaos] [--cache]");
                    System.exit(2);
                }
            }
        }
        if (portList == null || stopFile == null) {
            System.err.println("checker: --ports and --stop-file are required");
            System.exit(2);
        }
        int[] ports = java.util.Arrays.stream(portList.split(",")).mapToInt(Integer::parseInt).toArray();
        ChaosChecker checker = new ChaosChecker(ports, writers, readers, keys, cache, timeoutMs, prefix);
        checker.run(Path.of(stopFile), maxSeconds);
        if (timelineFile != null) {
            checker.writeTimeline(Path.of(timelineFile));
        }
        System.out.flush();
        System.exit(0);
    }

    void run(Path stopFile, long maxSeconds) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(new Thread(() -> write(id), "writer-" + w));
        }
        for (int r = 0; r < readers; r++) {
            int id = r;
            threads.add(new Thread(() -> read(id), "reader-" + r));
        }
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
        System.out.println("checker: started " + writers + " writers and " + readers + " readers on " + all.size()
                + " keys through ports " + java.util.Arrays.toString(ports));
        System.out.flush();
        long deadline = System.currentTimeMillis() + maxSeconds * 1000;
        while (!Files.exists(stopFile) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(socketTimeoutMs + 5_000L);
            if (t.isAlive()) {
                System.out.println("checker: " + t.getName() + " did not stop in time");
            }
        }
        verifyAndReport();
    }


    private void tick(boolean error) {
        long bucket = System.currentTimeMillis() / 100;
        LongAdder[] a = timeline.computeIfAbsent(bucket, b -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[error ? 1 : 0].increment();
    }

    private void error(String who, Object what) {
        errors.incrementAndGet();
        tick(true);
        if (firstErrors.size() < 20) {
            firstErrors.add(java.time.Instant.now() + " " + who + ": " + what);
        }
    }

    // ------------------------------------------------------------------------------- writers

    private void write(int w) {
        SplittableRandom random = new SplittableRandom(1000 + w);
        List<Key> mine = keysByWriter.get(w);
        Link link = new Link(ports, socketTimeoutMs, this::error, "writer " + w, w);
        while (running.get()) {
            CheckerConn conn = link.conn();
            if (conn == null) {
                continue;
            }
            Key k = mine.get(random.nextInt(mine.size()));
            long seq = ++k.seq;
            k.sent = seq;
            Object reply;
            try {
                reply = conn.call("SET", k.name, Long.toString(seq), "GET");
            } catch (IOException | RuntimeException e) {
                k.unknown.add(seq);
                unknownWrites.incrementAndGet();
                error("writer " + w + " via " + link.port(), e);
                link.failed();
                continue;
            }
            if (reply instanceof RespError err) {
                k.unknown.add(seq);
                unknownWrites.incrementAndGet();
                error("writer " + w + " via " + link.port() + " on " + k.name, err.message());
                pause(5);
                continue;
            }
            long previous = reply == null ? 0 : Long.parseLong((String) reply);
            long acked = k.acked;
            if (previous < acked) {
                k.losses.add(new long[] {previous, acked, System.currentTimeMillis()});
            } else if (previous > acked && !k.unknown.contains(previous)) {
                phantom(k.name + ": SET GET found " + previous + ", never sent (last acknowledged " + acked + ")");
            }
            k.acked = seq;
            writes.incrementAndGet();
            tick(false);
        }
        link.close();
    }

    private void phantom(String what) {
        phantomCount.incrementAndGet();
        if (phantoms.size() < 20) {
            phantoms.add(what);
        }
    }

    // ------------------------------------------------------------------------------- readers

    private void read(int r) {
        SplittableRandom random = new SplittableRandom(2000 + r);
        Link link = new Link(ports, socketTimeoutMs, this::error, "reader " + r, r + 1);
        while (running.get()) {
            CheckerConn conn = link.conn();
            if (conn == null) {
                continue;
            }
            int n = random.nextInt(8) == 0 ? 4 : 1;
            Key[] picked = new Key[n];
            long[] before = new long[n];
            String[] args = new String[n + 1];
            args[0] = n == 1 ? "GET" : "MGET";
            for (int i = 0; i < n; i++) {
                picked[i] = all.get(random.nextInt(all.size()));
                before[i] = picked[i].acked;
                args[i + 1] = picked[i].name;
            }
            Object reply;
            try {
                reply = conn.call(args);
            } catch (IOException | RuntimeException e) {
                error("reader " + r + " via " + link.port(), e);
                link.failed();
                continue;
            }
            if (reply instanceof RespError err) {
                error("reader " + r + " via " + link.port(), err.message());
                pause(5);
                continue;
            }
            List<?> values = n == 1 ? java.util.Collections.singletonList(reply) : (List<?>) reply;
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                Object v = values.get(i);
                long seen = v == null ? 0 : Long.parseLong((String) v);
                if (seen < before[i]) {
                    suspects.add(new Suspect(picked[i], seen, before[i], now, link.port()));
                }
                if (seen > picked[i].sent) {
                    phantom(picked[i].name + ": read " + seen + " via " + link.port() + ", only " + picked[i].sent + " sent");
                }
            }
            reads.incrementAndGet();
            tick(false);
        }
        link.close();
    }

    // ------------------------------------------------------------------------------- the end

    /** Reads every key once more (retrying for up to a minute), then classifies and prints. */
    private void verifyAndReport() {
        long deadline = System.currentTimeMillis() + 60_000;
        int unverified = 0;
        CheckerConn conn = null;
        int endpoint = 0;
        for (Key k : all) {
            Long got = null;
            while (got == null && System.currentTimeMillis() < deadline) {
                try {
                    if (conn == null) {
                        conn = new CheckerConn(ports[endpoint], socketTimeoutMs);
                    }
                    Object reply = conn.call("GET", k.name);
                    if (reply instanceof RespError) {
                        pause(200);
                        continue;
                    }
                    got = reply == null ? 0 : Long.parseLong((String) reply);
                } catch (IOException | RuntimeException e) {
                    if (conn != null) {
                        conn.close();
                    }
                    conn = null;
                    endpoint = (endpoint + 1) % ports.length;
                    pause(200);
                }
            }
            if (got == null) {
                unverified++;
                continue;
            }
            long acked = k.acked;
            if (got < acked) {
                k.losses.add(new long[] {got, acked, System.currentTimeMillis()});
            } else if (got > acked && !k.unknown.contains(got)) {
                phantom(k.name + ": holds " + got + " at the end, never sent (last acknowledged " + acked + ")");
            }
        }
        if (conn != null) {
            conn.close();
        }

        long lost = 0;
        long lossEvents = 0;
        List<String> lossLines = new ArrayList<>();
        for (Key k : all) {
            for (long[] e : k.losses) {
                long n = 0;
                for (long s = e[0] + 1; s <= e[1]; s++) {
                    if (!k.unknown.contains(s)) {
                        n++;
                    }
                }
                if (n == 0) {
                    continue; // only writes of unknown outcome fell back
                }
                lossEvents++;
                lost += n;
                if (lossLines.size() < 20) {
                    lossLines.add(k.name + ": " + n + " acknowledged writes lost (" + e[0] + " after " + e[1]
                            + " was acknowledged), seen at " + java.time.Instant.ofEpochMilli(e[2]));
                }
            }
        }
        long stale = 0;
        long misses = 0;
        long lossReads = 0;
        List<String> staleLines = new ArrayList<>();
        for (Suspect s : suspects) {
            if (cache && s.seen() == 0) {
                misses++;
                continue;
            }
            boolean explained = false;
            for (long[] e : s.key().losses) {
                if (s.seen() == e[0] && s.before() > e[0] && s.before() <= e[1]) {
                    explained = true;
                    break;
                }
            }
            if (explained) {
                lossReads++;
                continue;
            }
            stale++;
            if (staleLines.size() < 20) {
                staleLines.add(s.key().name + ": read " + s.seen() + " via proxy " + s.port() + " at "
                        + java.time.Instant.ofEpochMilli(s.atMillis()) + " after " + s.before() + " was acknowledged");
            }
        }
        long ops = writes.get() + reads.get();
        System.out.println("checker: ops " + ops + " writes " + writes.get() + " reads " + reads.get() + " errors " + errors.get()
                + " unknown " + unknownWrites.get() + " stale " + stale + " lost " + lost + " loss-events " + lossEvents
                + " loss-reads " + lossReads + " misses " + misses + " phantom " + phantomCount.get() + " unverified " + unverified);
        staleLines.forEach(l -> System.out.println("checker: STALE " + l));
        lossLines.forEach(l -> System.out.println("checker: LOST " + l));
        phantoms.forEach(l -> System.out.println("checker: PHANTOM " + l));
        firstErrors.forEach(l -> System.out.println("checker: error " + l));
    }

    void writeTimeline(Path file) throws IOException {
        List<Long> buckets = new ArrayList<>(timeline.keySet());
        java.util.Collections.sort(buckets);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            for (long b : buckets) {
                LongAdder[] a = timeline.get(b);
                out.println(b * 100 + " " + a[0].sum() + " " + a[1].sum());
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
