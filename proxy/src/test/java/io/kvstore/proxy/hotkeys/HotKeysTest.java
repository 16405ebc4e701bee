package io.kvstore.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.resp.Request;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The hot-key sketch on Zipf-distributed streams (what real key popularity looks like): the
 * Count-Min estimates stay within their error bound, the top-K finds the true heaviest keys, and
 * sampling, the merge over loops and the INFO format do what doc/info.md says.
 */
class HotKeysTest {

    private static final int DISTINCT = 50_000;

    /** A stream of key numbers drawn from Zipf(s) over DISTINCT keys, with a fixed seed. */
    private static int[] zipf(int n, double s, long seed) {
        double[] cdf = new double[DISTINCT];
        double sum = 0;
        for (int i = 0; i < DISTINCT; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        Random r = new Random(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int at = java.util.Arrays.binarySearch(cdf, r.nextDouble() * sum);
            out[i] = at >= 0 ? at : -at - 1;
        }
        return out;
    }

    private static byte[] name(int k) {
        return ("user:" + k).getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<Integer, Long> truth(int[] stream) {
        Map<Integer, Long> counts = new HashMap<>();
        for (int k : stream) {
            counts.merge(k, 1L, Long::sum);
        }
        return counts;
    }

    private static List<Integer> topOf(Map<Integer, Long> counts, int k) {
        return counts.entrySet().stream().sorted(Map.Entry.<Integer, Long>comparingByValue().reversed())
                .limit(k).map(Map.Entry::getKey).toList();
    }

    @Test
    void countMinNeverUnderestimatesAndStaysWithinItsBound() {
        int[] stream = zipf(200_000, 1.0, 1);
        CountMinSketch sketch = new CountMinSketch(KeySampler.WIDTH);
        for (int k : stream) {
            sketch.add(Key.hash(name(k)), 1);
        }
        double bound = Math.E / KeySampler.WIDTH * stream.length;
        int within = 0;
        Map<Integer, Long> truth = truth(stream);
        for (Map.Entry<Integer, Long> e : truth.entrySet()) {
            long estimate = sketch.estimate(Key.hash(name(e.getKey())));
            assertTrue(estimate >= e.getValue(), "under-estimated key " + e.getKey());
            if (estimate - e.getValue() <= bound) {
                within++;
            }
        }
        // the bound holds per key with probability 1 - e^-4 (98%); conservative update does better
        assertTrue(within >= truth.size() * 0.98, within + " of " + truth.size() + " within e/w*N = " + bound);
    }

    @Test
    void topKOnAZipfStreamFindsTheHeaviestKeysWithCloseCounts() {
        int[] stream = zipf(300_000, 1.1, 2);
        HotKeys hot = new HotKeys();
        hot.configure(1, 10, 1);
        KeySampler loop = hot.newLoop();
        for (int k : stream) {
            loop.record(new Key[] {Key.of(name(k))}, 100);
        }
        loop.publish(1.0);
        HotKeys.Report r = hot.report();
        Map<Integer, Long> truth = truth(stream);
        List<Integer> expected = topOf(truth, 10);
        assertEquals(10, r.byOps().size());
        for (int i = 0; i < 10; i++) {
            HotKey found = r.byOps().get(i);
            int k = Integer.parseInt(new String(found.key(), StandardCharsets.US_ASCII).substring(5));
            assertTrue(expected.contains(k), "rank " + (i + 1) + ": " + found + " is not in the true top 10 " + expected);
            long exact = truth.get(k);
            assertTrue(found.opsPerSecond() >= exact && found.opsPerSecond() <= exact + Math.E / KeySampler.WIDTH * stream.length,
                    found + " vs exact " + exact);
            assertEquals(found.opsPerSecond() * 100, found.bytesPerSecond(), found.bytesPerSecond() * 0.01, "100 bytes a request");
        }
        assertEquals(expected.get(0), Integer.parseInt(new String(r.byOps().get(0).key(), StandardCharsets.US_ASCII).substring(5)));
    }

    @Test
    void samplingOnePerCentStillFindsTheTopKeysAndScalesTheirRates() {
        int[] stream = zipf(1_000_000, 1.2, 3);
        HotKeys hot = new HotKeys();
        hot.configure(0.01, 5, 10);
        KeySampler loop = hot.newLoop();
        var spec = CommandTable.load().get("get");
        // a million requests: made without leak tracking, which would take minutes (each is released below)
        ByteBufAllocator untracked = new io.netty.buffer.UnpooledByteBufAllocator(false, true);
        for (int k : stream) {
            Request request = Request.of(untracked, List.of("GET".getBytes(StandardCharsets.US_ASCII), name(k)));
            try {
                KeySample s = loop.sample(spec, request);
                if (s != null) {
                    s.replied(Unpooled.EMPTY_BUFFER);
                }
            } finally {
                request.release();
            }
        }
        loop.publish(10.0);
        HotKeys.Report r = hot.report();
        Map<Integer, Long> truth = truth(stream);
        List<Integer> expected = topOf(truth, 3);
        Set<Integer> found = new HashSet<>();
        r.byOps().forEach(k -> found.add(Integer.parseInt(new String(k.key(), StandardCharsets.US_ASCII).substring(5))));
        assertTrue(found.containsAll(expected), found + " should hold the true top 3 " + expected);
        double exactRate = truth.get(expected.get(0)) / 10.0;
        double estimated = r.byOps().get(0).opsPerSecond();
        assertTrue(Math.abs(estimated - exactRate) < exactRate * 0.15, estimated + " ops/s estimated, " + exactRate + " exact");
        assertEquals(1_000_000 * 0.01 / 10, r.sampledPerSecond(), 40, "about 1% of the requests in 10 s");
    }

    @Test
    void rateZeroSamplesNothingAndKeylessCommandsAreSkipped() {
        HotKeys hot = new HotKeys();
        hot.configure(0, 5, 1);
        KeySampler loop = hot.newLoop();
        var table = CommandTable.load();
        Request get = Request.of(ByteBufAllocator.DEFAULT, List.of("GET".getBytes(), "k".getBytes()));
        Request ping = Request.of(ByteBufAllocator.DEFAULT, List.of("PING".getBytes()));
        try {
            for (int i = 0; i < 200_000; i++) {
                assertNull(loop.sample(table.get("get"), get));
            }
            hot.configure(1, 5, 1);
            for (int i = 0; i < 70_000 && loop.sample(table.get("get"), get) == null; i++) {
                // the off state re-reads the rate every 65536 requests
            }
            assertNotNull(loop.sample(table.get("get"), get), "positive control: rate 1 samples every request");
            assertNull(loop.sample(table.get("ping"), ping), "PING names no key");
            assertNull(loop.sample(table.get("get"), ping), "GET without its key: wrong arity, not sampled");
        } finally {
            get.release();
            ping.release();
        }
    }

    @Test
    void loopsAreMergedAndTheInfoSectionNamesEveryKeySafely() {
        HotKeys hot = new HotKeys();
        hot.configure(1, 3, 1);
        KeySampler a = hot.newLoop();
        KeySampler b = hot.newLoop();
        Key odd = Key.of("a,b=c\r\n\\\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 30; i++) {
            a.record(new Key[] {Key.of("x".getBytes())}, 10);
            b.record(new Key[] {Key.of("x".getBytes())}, 10);
            a.record(new Key[] {odd}, 1000);
        }
        b.record(new Key[] {Key.of("y".getBytes()), Key.of("z".getBytes())}, 40); // 20 bytes each
        a.publish(1.0);
        b.publish(2.0);
        HotKeys.Report r = hot.report();
        assertEquals("x", new String(r.byOps().get(0).key()));
        assertEquals(30 + 15, r.byOps().get(0).opsPerSecond(), 0.001, "30 in a 1 s window plus 30 in a 2 s window");
        assertTrue(java.util.Arrays.equals(odd.bytes(), r.byBytes().get(0).key()));
        String info = hot.infoSection();
        assertTrue(info.startsWith("# Hotkeys\r\nhotkeys_sample_rate:1.0\r\nhotkeys_top:3\r\nhotkeys_window_seconds:1\r\n"), info);
        assertTrue(info.contains("hotkey_ops_1:ops_per_sec=45.00,bytes_per_sec=450.00,key=x\r\n"), info);
        assertTrue(info.contains("hotkey_bytes_1:ops_per_sec=30.00,bytes_per_sec=30000.00,key=a,b=c\\x0d\\x0a\\\\\\xff\r\n"), info);
        assertEquals(3, info.lines().filter(l -> l.startsWith("hotkey_ops_")).count());
        assertTrue(java.util.Arrays.equals(odd.bytes(), HotKey.parse(HotKey.printable(odd.bytes()))));
        assertThrows(IllegalArgumentException.class, () -> hot.configure(1.5, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> hot.configure(0.5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> hot.configure(0.5, 3, 0));
    }

    @Test
    void aWindowEndsOnlyWhenItHasLastedItsLength() {
        HotKeys hot = new HotKeys();
        hot.configure(1, 3, 5);
        KeySampler loop = hot.newLoop();
        loop.record(new Key[] {Key.of("k".getBytes())}, 1);
        long start = System.nanoTime();
        loop.tick(start + 2_000_000_000L);
        assertTrue(hot.report().byOps().isEmpty(), "2 s into a 5 s window: nothing published yet");
        loop.tick(start + 6_000_000_000L);
        assertEquals(1, hot.report().byOps().size(), "positive control: published after 5 s");
    }
}
