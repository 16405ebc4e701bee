package io.kvstore.proxy.hotkeys;

import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One event loop's hot-key sampling: picks requests at random at the configured rate, counts
 * their keys in two Count-Min sketches (requests, and bytes of request plus reply) and keeps the
 * top candidates of each in a {@link TopK}; every window it publishes what it saw as an immutable
 * {@link Window} and starts over.
 *
 * <p>Owned by its event loop: {@link #sample}, {@link #record} and {@link #tick} run only there,
 * with no lock. The one thing other threads read is {@link #published}, a volatile reference to
 * an immutable window.
 *
 * <p>Cost on the loop: a request that is not sampled pays one decrement and a branch (the gap to
 * the next sample is drawn from the geometric distribution, so no random number per request); a
 * sampled one pays finding its keys, copying them and a few hash-table and heap steps.
 */
public final class KeySampler {

    /** Counters per sketch row: the error of an estimate is at most e/WIDTH (0.13%) of the window's samples. */
    static final int WIDTH = 2048;
    /** While sampling is off, how many requests pass before the rate is read again. */
    private static final long OFF_RECHECK = 1 << 16;

    /** What one loop saw in one window; the estimates are per second of the window. */
    public record Window(long sampled, double seconds, double rate, List<HotKey> byOps, List<HotKey> byBytes) {
        static final Window EMPTY = new Window(0, 0, 0, List.of(), List.of());
    }

    private final HotKeys owner;
    private final SplittableRandom random = new SplittableRandom();
    private final CountMinSketch ops = new CountMinSketch(WIDTH);
    private final CountMinSketch bytes = new CountMinSketch(WIDTH);
    private TopK byOps;
    private TopK byBytes;
    private int capacity;
    private long countdown;
    private long sampled;
    private long windowStart = System.nanoTime();
    private volatile Window published = Window.EMPTY;

    KeySampler(HotKeys owner) {
        this.owner = owner;
        resize(owner.top());
        countdown = gap(owner.rate());
    }

    /**
     * Called once per request with its command: null unless this request is sampled, else the
     * sample to complete with the reply. Only on the owning loop.
     */
    public KeySample sample(CommandSpec spec, Request request) {
        if (--countdown > 0) {
            return null;
        }
        double rate = owner.rate();
        countdown = gap(rate);
        if (rate <= 0 || !spec.arityAccepts(request.argCount())) {
            return null; // a request with the wrong arity is refused, and its keys may not be where the table says
        }
        int[] args;
        try {
            args = KeyFinder.keys(spec, request);
        } catch (KeyFinder.BadKeysException e) {
            return null;
        }
        if (args.length == 0) {
            return null;
        }
        Key[] keys = new Key[args.length];
        for (int i = 0; i < args.length; i++) {
            keys[i] = Key.of(request.argBytes(args[i]));
        }
        return new KeySample(this, keys, request.frame().readableBytes());
    }

    /** Requests until the next sample: 1 + a geometric draw, so each request is sampled with probability {@code rate}. */
    private long gap(double rate) {
        if (rate <= 0) {
            return OFF_RECHECK;
        }
        if (rate >= 1) {
            return 1;
        }
        return 1 + (long) (Math.log(1 - random.nextDouble()) / Math.log(1 - rate));
    }

    /** Counts one sampled request naming {@code keys}, whose request and reply took {@code size} bytes. */
    void record(Key[] keys, long size) {
        sampled++;
        long share = Math.max(1, size / keys.length);
        for (Key k : keys) {
            byOps.offer(k, ops.add(k.hash64(), 1));
            byBytes.offer(k, bytes.add(k.hash64(), share));
        }
    }

    /** Called every second on the loop: ends the window when it has lasted its length. */
    public void tick() {
        tick(System.nanoTime());
    }

    void tick(long now) {
        double seconds = (now - windowStart) / 1e9;
        if (seconds >= owner.windowSeconds() - 0.05) { // ticks come a hair early at times
            publish(seconds);
            windowStart = now;
        }
    }

    /** Publishes the window that lasted {@code seconds} and starts a new one. */
    void publish(double seconds) {
        double rate = owner.rate();
        double scale = rate <= 0 || seconds <= 0 ? 0 : 1 / rate / seconds;
        published = new Window(sampled, seconds, rate, report(byOps, scale), report(byBytes, scale));
        ops.clear();
        bytes.clear();
        sampled = 0;
        if (owner.top() * 2 != capacity) {
            resize(owner.top());
        } else {
            byOps.clear();
            byBytes.clear();
        }
    }

    private List<HotKey> report(TopK top, double scale) {
        List<HotKey> out = new ArrayList<>();
        for (TopK.Entry e : top.entries()) {
            long h = e.key.hash64();
            out.add(new HotKey(e.key.bytes(), ops.estimate(h) * scale, bytes.estimate(h) * scale));
        }
        return out;
    }

    /** Keeps twice the reported number of candidates per loop, so the merge over loops finds keys spread thin. */
    private void resize(int top) {
        capacity = top * 2;
        byOps = new TopK(capacity);
        byBytes = new TopK(capacity);
    }

    /** The last window published; from any thread. */
    Window published() {
        return published;
    }
}
