package io.kvstore.proxy.hotkeys;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's hot keys: the settings ({@code --hotkeys-sample-rate}, {@code --hotkeys-top},
 * {@code --hotkeys-window-seconds}), one {@link KeySampler} per event loop, and the merge of their
 * last published windows into one {@link Report} on read. Thread-safe: settings are volatile,
 * samplers are added once per loop at start-up, and a read only looks at the samplers' immutable
 * published windows.
 */
public final class HotKeys {

    /**
     * One request in 100: measured with scripts/bench.sh (doc/operations.md, hot keys) as within
     * noise at 1 and 16 pipelined requests, and enough samples (1,000/s at 100k ops/s) to find a
     * key that takes a few per cent of the traffic within one window.
     */
    public static final double DEFAULT_RATE = 0.01;
    public static final int DEFAULT_TOP = 10;
    public static final int DEFAULT_WINDOW_SECONDS = 10;
    static final int MAX_TOP = 1000;
    static final int MAX_WINDOW_SECONDS = 3600;

    /** The merged view: keys by requests and by bytes per second, highest first, at most {@code top} each. */
    public record Report(double rate, int top, int windowSeconds, double sampledPerSecond, List<HotKey> byOps,
                         List<HotKey> byBytes) {
    }

    private final CopyOnWriteArrayList<KeySampler> samplers = new CopyOnWriteArrayList<>();
    private volatile double rate = DEFAULT_RATE;
    private volatile int top = DEFAULT_TOP;
    private volatile int windowSeconds = DEFAULT_WINDOW_SECONDS;

    /** A new loop's sampler; once per worker loop at start-up. */
    public KeySampler newLoop() {
        KeySampler s = new KeySampler(this);
        samplers.add(s);
        return s;
    }

    /**
     * Sets the options (at start-up, before clients connect); a bad value is refused with what is
     * allowed and nothing changes. A loop takes a new rate at its next sample (while off, within
     * 65,536 requests) and a new top at the end of its window: reading them on every request would
     * cost a volatile read each.
     */
    public void configure(double sampleRate, int topKeys, int window) {
        check(sampleRate, topKeys, window);
        rate = sampleRate;
        top = topKeys;
        windowSeconds = window;
    }

    /** Refuses values out of range with an IllegalArgumentException that names the option and what is allowed. */
    public static void check(double sampleRate, int topKeys, int window) {
        if (!(sampleRate >= 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("--hotkeys-sample-rate must be between 0 (off) and 1 (every request): " + sampleRate);
        }
        if (topKeys < 1 || topKeys > MAX_TOP) {
            throw new IllegalArgumentException("--hotkeys-top must be between 1 and " + MAX_TOP + ": " + topKeys);
        }
        if (window < 1 || window > MAX_WINDOW_SECONDS) {
            throw new IllegalArgumentException("--hotkeys-window-seconds must be between 1 and " + MAX_WINDOW_SECONDS + ": " + window);
        }
    }

    double rate() {
        return rate;
    }

    int top() {
        return top;
    }

    int windowSeconds() {
        return windowSeconds;
    }

    /**
     * The loops' last windows merged: a key's figures are summed over the loops whose candidates
     * held it (a loop where it was not a candidate adds nothing, so a key spread thinly over many
     * loops may be under-counted by at most each such loop's smallest candidate).
     */
    public Report report() {
        Map<ByteBuffer, double[]> merged = new HashMap<>();
        double sampledPerSecond = 0;
        for (KeySampler s : samplers) {
            KeySampler.Window w = s.published();
            if (w.seconds() > 0) {
                sampledPerSecond += w.sampled() / w.seconds();
            }
            Map<ByteBuffer, HotKey> once = new HashMap<>(); // a key may be in both lists of one loop
            w.byOps().forEach(k -> once.put(ByteBuffer.wrap(k.key()), k));
            w.byBytes().forEach(k -> once.put(ByteBuffer.wrap(k.key()), k));
            once.forEach((key, k) -> {
                double[] sum = merged.computeIfAbsent(key, x -> new double[2]);
                sum[0] += k.opsPerSecond();
                sum[1] += k.bytesPerSecond();
            });
        }
        List<HotKey> all = new ArrayList<>();
        merged.forEach((key, sum) -> all.add(new HotKey(key.array(), sum[0], sum[1])));
        int n = top;
        return new Report(rate, n, windowSeconds, sampledPerSecond, highest(all, HotKey::opsPerSecond, n),
                highest(all, HotKey::bytesPerSecond, n));
    }

    private static List<HotKey> highest(List<HotKey> keys, ToDoubleFunction<HotKey> by, int n) {
        return keys.stream().filter(k -> by.applyAsDouble(k) > 0)
                .sorted(Comparator.comparingDouble(by).reversed().thenComparing(HotKey::printable))
                .limit(n).toList();
    }

    /** INFO's {@code # Hotkeys}; doc/info.md describes the format. */
    public String infoSection() {
        Report r = report();
        StringBuilder out = new StringBuilder("# Hotkeys\r\n")
                .append("hotkeys_sample_rate:").append(r.rate()).append("\r\n")
                .append("hotkeys_top:").append(r.top()).append("\r\n")
                .append("hotkeys_window_seconds:").append(r.windowSeconds()).append("\r\n")
                .append("hotkeys_sampled_per_sec:").append(figure(r.sampledPerSecond())).append("\r\n");
        lines(out, "hotkey_ops_", r.byOps());
        lines(out, "hotkey_bytes_", r.byBytes());
        return out.toString();
    }

    private static void lines(StringBuilder out, String prefix, List<HotKey> keys) {
        for (int i = 0; i < keys.size(); i++) {
            HotKey k = keys.get(i);
            out.append(prefix).append(i + 1).append(":ops_per_sec=").append(figure(k.opsPerSecond()))
                    .append(",bytes_per_sec=").append(figure(k.bytesPerSecond()))
                    .append(",key=").append(k.printable()).append("\r\n");
        }
    }

    private static String figure(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
