package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.store.SlotRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The epoch fan-out, measured (issue 16's capacity plan; run by {@code scripts/bench-fanout.sh},
 * not by {@code test_all}: surefire's default includes do not match {@code *Bench}). N proxies,
 * each with its own ZooKeeper session as in production, all in this JVM, follow one cluster in
 * one in-process ZooKeeper; the admin side changes one slot's owner ({@code ClusterStore.update},
 * as {@code kvstore-admin} does) and this records, per change: how long the write took, when
 * each proxy routed by the new epoch (its {@code ClusterState}'s map, polled every 0.2 ms), when
 * every proxy's registration showed it (what the admin waits for), and ZooKeeper's request
 * counters (the {@code mntr} four-letter word) over the change. N grows through
 * {@code -Dfanout.proxies} (default 10,25,50), with {@code -Dfanout.rounds} changes (default 5)
 * at each N; {@code -Dfanout.fragments=R} first cuts the slot map into R alternating ranges (a
 * larger topology node, as after many rebalances). Prints {@code fanout:} lines to standard output (surefire puts them in
 * {@code target/surefire-reports/*-output.txt}). Asserts that every proxy applied every epoch,
 * bounded by {@link ZkFixture#await}. Owned by the JUnit thread only.
 */
class EpochFanOutBench {

    private static final String CLUSTER = "fan";
    private static final long POLL_NANOS = 200_000;
    private static final long BOUND_NANOS = 30_000_000_000L;

    @Test
    void allProxiesApplyAnEpoch() throws Exception {
        System.setProperty("zookeeper.4lw.commands.whitelist", "mntr"); // read when the server starts
        int[] counts = Arrays.stream(System.getProperty("fanout.proxies", "10,25,50").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int rounds = Integer.getInteger("fanout.rounds", 5);
        int fragments = Integer.getInteger("fanout.fragments", 0);
        try (ZkFixture f = ZkFixture.start(2)) {
            f.createCluster(CLUSTER, 2);
            if (fragments > 0) {
                f.admin.update(CLUSTER, t -> t.withSlotsAssigned(alternating(fragments)));
            }
            System.out.println("fanout: N, round, write ms, routing applied by all ms (median, slowest proxy),"
                    + " registered by all ms, ZooKeeper requests during the change (total, per proxy), watches,"
                    + " topology node bytes, bytes ZooKeeper sent for reads, those bytes in topology-node reads per proxy");
            for (int n : counts) {
                long started = System.nanoTime();
                while (f.proxies.size() < n) {
                    f.startProxy(CLUSTER);
                }
                System.out.printf("fanout: N=%d started in %.1f s; threads in this JVM %d%n", n,
                        (System.nanoTime() - started) / 1e9, Thread.activeCount());
                LockSupport.parkNanos(2_000_000_000L); // let the start-up's registrations and reads settle
                for (int r = 1; r <= rounds; r++) {
                    oneChange(f, n, r);
                }
            }
        }
    }

    /** Moves slot {@code round} to the other group and measures until every proxy reports the epoch. */
    private static void oneChange(ZkFixture f, int n, int round) throws IOException {
        List<ZkFixture.Proxy> proxies = f.proxies;
        Map<String, Long> before = mntr(f);
        long t0 = System.nanoTime();
        long epoch = f.admin.update(CLUSTER, t -> t.withSlotsAssigned(
                List.of(new SlotRange(round, round, t.owner(round).equals("g1") ? "g2" : "g1")))).value().epoch();
        long written = System.nanoTime();
        long[] applied = new long[proxies.size()];
        int left = proxies.size();
        while (left > 0) {
            long now = System.nanoTime();
            assertTrue(now - t0 < BOUND_NANOS, left + " proxies had not applied epoch " + epoch + " after 30 s");
            for (int i = 0; i < applied.length; i++) {
                if (applied[i] == 0 && proxies.get(i).appliedEpoch() >= epoch) {
                    applied[i] = now - t0;
                    left--;
                }
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        long routed = System.nanoTime();
        ZkFixture.await("all " + n + " registrations to show epoch " + epoch, () -> f.admin.proxies(CLUSTER).stream()
                .filter(r -> r.proxy() != null && r.proxy().appliedEpoch() >= epoch).count() == n);
        long registered = System.nanoTime();
        Map<String, Long> after = mntr(f);
        for (ZkFixture.Proxy p : proxies) {
            assertEquals(epoch, p.appliedEpoch(), "proxy " + p.id() + " routes by the new epoch");
        }
        Arrays.sort(applied);
        long requests = after.getOrDefault("zk_packets_received", 0L) - before.getOrDefault("zk_packets_received", 0L);
        long readBytes = readBytes(after) - readBytes(before);
        int node = f.admin.readRaw(CLUSTER).value().length;
        System.out.printf("fanout: N=%d round=%d write=%.1f applied median=%.1f slowest=%.1f (all by %.1f) registered=%.1f"
                        + " zk_requests=%d per_proxy=%.1f watches=%d topology_bytes=%d read_bytes=%d node_reads_per_proxy=%.2f%n",
                n, round, ms(written - t0), ms(applied[applied.length / 2]), ms(applied[applied.length - 1]), ms(routed - t0),
                ms(registered - t0), requests, (double) requests / n, after.getOrDefault("zk_watch_count", -1L),
                node, readBytes, (double) readBytes / node / n);
    }

    /**
     * Bytes of node data ZooKeeper has sent for reads ({@code read_per_namespace}, every
     * namespace): with a large topology node, nearly all of them are reads of that node, so
     * dividing by its size and N gives the topology reads per proxy (the harness's polling of the
     * small registration nodes adds a little).
     */
    private static long readBytes(Map<String, Long> mntr) {
        return mntr.entrySet().stream().filter(e -> e.getKey().startsWith("zk_sum_") && e.getKey().endsWith("read_per_namespace"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * Every other block of slots to g2, the rest to g1: a map cut into {@code ranges} ranges, as
     * after many rebalances (the topology node grows with ranges, not with slots).
     */
    private static List<SlotRange> alternating(int ranges) {
        List<SlotRange> out = new ArrayList<>();
        int block = Math.max(1, 16384 / ranges);
        for (int start = 0, i = 0; start < 16384; start += block, i++) {
            out.add(new SlotRange(start, Math.min(16383, start + block - 1), i % 2 == 0 ? "g1" : "g2"));
        }
        return out;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** ZooKeeper's {@code mntr} counters (numeric ones only). */
    private static Map<String, Long> mntr(ZkFixture f) throws IOException {
        Map<String, Long> out = new HashMap<>();
        try (Socket s = new Socket("127.0.0.1", f.zk.getPort())) {
            s.getOutputStream().write("mntr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            for (String line : buf.toString(StandardCharsets.US_ASCII).split("\n")) {
                String[] kv = line.split("\t");
                if (kv.length == 2 && kv[1].trim().matches("-?\\d+")) {
                    out.put(kv[0].trim(), Long.parseLong(kv[1].trim()));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException("ZooKeeper answered mntr with nothing (4lw whitelist?)");
        }
        return out;
    }
}
