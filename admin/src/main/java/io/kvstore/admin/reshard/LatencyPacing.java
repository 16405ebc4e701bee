package io.kvstore.admin.reshard;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency-aware pacing of a move ({@code --max-latency-ratio R}): before the first key moves it
 * probes the p99 clients see for a few seconds (the baseline; {@link LatencyProbe}: through the
 * proxies, or the servers when no proxy answers), then, window after window while the move
 * runs, probes again and lets a {@link LatencyPacer} set the shared {@link RateLimit}, so the
 * movers go as fast as keeps the p99 within R x the baseline. Its own daemon thread runs the
 * windows from {@link #start} to {@link #close}; the driver thread only starts, closes and reads
 * the summary, whose trace records every window (the first {@link #TRACE_WINDOWS}; the pacer and
 * the trace are guarded by the pacer's lock). If the probe fails (a server went away) the rate
 * stays where it was: pacing then errs on the side it was on, and the move itself reports the failure.
 */
final class LatencyPacing implements AutoCloseable {

    /** The baseline's windows: the baseline is a quantile of their p99s, so one hiccup of a busy machine does not set it. */
    static final long BASELINE_WINDOW_MILLIS = 200;
    /**
     * Windows over which the keys moved per second are counted: the movers book whole batches
     * from the rate limit, so one window may see none and the next several hundred; a
     * window that saw none must not read as "the mover is idle" and drop the rate to the floor.
     */
    static final int RATE_WINDOWS = 2;
    /** A MIGRATE of a key or two: shorter batches would cost more in round trips than they save. */
    static final long MIN_BATCH_NANOS = 50_000;
    static final int MIN_STEP = 1_000;
    /** The ceiling when --rate sets none: far above what one machine moves. */
    static final int NO_CEILING = 10_000_000;

    /** What pacing did, for the operator. */
    record Summary(String via, int targets, double baselineMicros, double boundMicros, double targetMicros, long windows,
                   long decreases, int lastRate, List<PacingWindow> trace) {
    }

    /** Windows kept for the summary's trace at most (the first ones: at 500 ms, a quarter of an hour). */
    static final int TRACE_WINDOWS = 2_000;

    private final LatencyProbe probe;
    private final LatencyPacer pacer;
    private final RateLimit rate;
    private final AtomicLong moved;
    private final Thread thread;
    private final double baseline;
    private final long windowMillis;
    private final long intervalMillis;
    private volatile boolean running = true;
    private volatile long windows;
    private volatile String failure;
    private final List<PacingWindow> trace = new ArrayList<>();

    private LatencyPacing(LatencyProbe probe, double baseline, MoveTuning tuning, int ceiling, RateLimit rate, AtomicLong moved) {
        this.probe = probe;
        this.baseline = baseline;
        this.windowMillis = tuning.pacingWindowMillis();
        this.intervalMillis = tuning.pacingIntervalMillis();
        this.pacer = new LatencyPacer(baseline, tuning.maxLatencyRatio(), tuning.pacingTarget(), tuning.pacingStart(),
                tuning.pacingFloor(), ceiling, MIN_STEP);
        this.rate = rate;
        this.moved = moved;
        this.thread = new Thread(this::windows, "kvstore-pacing");
        this.thread.setDaemon(true);
    }

    /**
     * Takes the baseline on the caller's thread (nothing moves meanwhile), sets the first rate and
     * starts the windows. The ratio, floor, start rate and window length come from {@code tuning};
     * {@code ceilingKeys <= 0}: no ceiling but the pacing's own.
     */
    static LatencyPacing start(LatencyProbe probe, MoveTuning tuning, int ceilingKeys, RateLimit rate, AtomicLong moved)
            throws IOException {
        double baseline;
        try {
            // A quantile of the windows' p99s (--pacing-baseline-quantile), not one long window: one
            // hiccup of a busy machine during a single window set a bound twice too lax (measured: a
            // 9.4 ms baseline against 0.65 ms usually). The first window warms up (connections, JIT
            // of the probe loop) and does not count: cold, it read 2-3x the same load a second later.
            probe.p99Micros(BASELINE_WINDOW_MILLIS, tuning.pacingIntervalMillis());
            long[] p99s = new long[(int) Math.max(1, tuning.pacingBaselineMillis() / BASELINE_WINDOW_MILLIS)];
            for (int i = 0; i < p99s.length; i++) {
                p99s[i] = Math.round(probe.p99Micros(BASELINE_WINDOW_MILLIS, tuning.pacingIntervalMillis()));
            }
            baseline = Math.max(1, LatencyProbe.percentile(p99s, tuning.pacingBaselineQuantile()));
        } catch (IOException e) {
            probe.close();
            throw new IOException("cannot take the latency baseline: " + e.getMessage(), e);
        }
        int floor = tuning.pacingFloor();
        LatencyPacing p = new LatencyPacing(probe, baseline, tuning, ceilingKeys > 0 ? Math.max(floor, ceilingKeys) : NO_CEILING,
                rate, moved);
        rate.rate(p.pacer.rate());
        p.thread.start();
        return p;
    }

    private void windows() {
        long[] keysAt = new long[RATE_WINDOWS];
        long[] nanosAt = new long[RATE_WINDOWS];
        Arrays.fill(keysAt, moved.get());
        Arrays.fill(nanosAt, System.nanoTime());
        int i = 0;
        while (running) {
            double p99;
            try {
                p99 = probe.p99Micros(windowMillis, intervalMillis);
            } catch (IOException e) {
                failure = e.getMessage();
                return;
            }
            long keys = moved.get();
            long now = System.nanoTime();
            double perSecond = (keys - keysAt[i]) * 1e9 / Math.max(1, now - nanosAt[i]); // over the last RATE_WINDOWS
            keysAt[i] = keys;
            nanosAt[i] = now;
            i = (i + 1) % RATE_WINDOWS;
            synchronized (pacer) {
                int next = pacer.window(p99, perSecond);
                rate.rate(next);
                if (trace.size() < TRACE_WINDOWS) {
                    trace.add(new PacingWindow(Math.round(p99), probe.lastSamples(), Math.round(perSecond), next));
                }
            }
            windows++;
        }
    }

    /**
     * How long one MIGRATE may block a server under this pacing: half the latency budget (bound
     * minus baseline), and never more than {@code batchMillis}. A probe (or a client) that lands on
     * a batch waits for it, so a batch longer than the budget would break the bound whatever the
     * rate; shorter batches let the rate, not the batch, decide how often that happens.
     */
    long batchNanos(int batchMillis) {
        return Math.min(batchMillis * 1_000_000L, halfBudgetNanos());
    }

    private long halfBudgetNanos() {
        return (long) Math.max(MIN_BATCH_NANOS, (pacer.boundMicros() - baseline) / 2 * 1000);
    }

    /**
     * How many keys one SCAN may look at under this pacing: a SCAN blocks its server too, about a
     * microsecond per key looked at (measured: 0.8-1.7 ms for COUNT 1000), so its COUNT is held to
     * the same half budget as a MIGRATE, in keys, between 10 and {@code scanCount}. Without this the
     * passes' SCANs alone, 1 ms each and back to back, kept the p99 over a 0.6 ms budget.
     */
    int scanCount(int scanCount) {
        return (int) Math.max(10, Math.min(scanCount, halfBudgetNanos() / 1000));
    }

    /** What pacing did so far. */
    Summary summary() {
        synchronized (pacer) {
            return new Summary(probe.via(), probe.targets(), baseline, pacer.boundMicros(), pacer.targetMicros(), windows,
                    pacer.decreases(), pacer.rate(),
                    List.copyOf(trace));
        }
    }

    /** Why the probe stopped early, or null. */
    String failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(windowMillis * 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        probe.close();
    }
}
