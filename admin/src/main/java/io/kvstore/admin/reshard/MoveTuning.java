package io.kvstore.admin.reshard;

/**
 * How the key mover works, as the operator tuned it ({@code rebalance}, {@code reshard},
 * {@code migrate} options); recorded in the migration job so that {@code migrations --resume}
 * moves the same way. Immutable value, checked on construction.
 *
 * @param scanCount        COUNT of each SCAN over a source: keys looked at per round trip
 * @param batchKeys        keys per {@code MIGRATE ... KEYS} at most
 * @param batchMillis      how long one MIGRATE may block its source: a batch that takes longer makes
 *                         the next ones smaller (time stands for bytes, see {@link BatchSizer})
 * @param parallelSources  source groups moved from at once, one thread and connection each
 * @param maxLatencyRatio  pace by measured latency: keep the p99 clients see within this many times
 *                         the baseline taken before the move (0: off, only the key rate applies)
 * @param pacingFloor      under latency pacing, keys per second the rate is never cut below (the move always ends)
 * @param pacingStart      under latency pacing, the first window's rate, keys per second
 * @param pacingWindowMillis under latency pacing, how long each window probes before the rate is set again
 * @param pacingTarget     under latency pacing, the share of the bound the rate aims at: it grows only after a
 *                         window below this share, holds between it and the bound, is halved above the bound
 * @param pacingBaselineMillis under latency pacing, how long the baseline is probed before the move (a quantile
 *                         of its 200 ms windows' p99s, after one window of warm-up that does not count)
 * @param pacingBaselineQuantile under latency pacing, which of the baseline windows' p99s is the baseline: 0.5 the
 *                         median, lower ones discount the windows a burst of other work on the machine inflated
 * @param pacingIntervalMillis under latency pacing, the pause between two probes on a connection: shorter gives
 *                         more samples per window, so a steadier p99
 */
public record MoveTuning(int scanCount, int batchKeys, int batchMillis, int parallelSources, double maxLatencyRatio,
                         int pacingFloor, int pacingStart, int pacingWindowMillis, double pacingTarget, int pacingBaselineMillis,
                         int pacingIntervalMillis, double pacingBaselineQuantile) {

    /** The defaults, also what a job recorded before these options existed moves with. */
    public static final MoveTuning DEFAULT = new MoveTuning(1000, 500, 20, 4, 0);

    static final int DEFAULT_FLOOR = 500;
    /**
     * Not lower: the first window crossed the bound in 10 loaded runs of 10 at 10000 keys/s and in 9 of 13
     * at 2000, twice with no key moved by the driver in it (measured): what crosses it is mostly the start
     * of the move itself (the proxies move every key clients touch in the newly migrating slots), and
     * the runs started at 2000 kept the clients' bound no more often.
     */
    static final int DEFAULT_START = 10_000;
    static final int DEFAULT_WINDOW_MILLIS = 500;
    static final double DEFAULT_TARGET = 0.7;
    static final int DEFAULT_BASELINE_MILLIS = 3_000;
    static final int DEFAULT_INTERVAL_MILLIS = 1;
    /**
     * The median. The lower quartile (tried: a burst of other work during the baseline had set a
     * 9.8 ms baseline against redis-benchmark's 0.5-0.9 ms) set 0.46-0.94 ms bounds that the probe
     * crossed at the floor rate in 29-44 windows of 40-48: the move crawled at 500 keys/s, the
     * proxies moved 85% of the keys on access, and clients crossed the bound all the same.
     */
    static final double DEFAULT_BASELINE_QUANTILE = 0.5;

    public MoveTuning {
        check(scanCount >= 10 && scanCount <= 100_000, "--scan-count must be within 10-100000");
        check(batchKeys >= 1 && batchKeys <= 10_000, "--batch-keys must be within 1-10000");
        check(batchMillis >= 1 && batchMillis <= 10_000, "--batch-ms must be within 1-10000");
        check(parallelSources >= 1 && parallelSources <= 64, "--parallel-sources must be within 1-64");
        check(maxLatencyRatio == 0 || (maxLatencyRatio >= 1.1 && maxLatencyRatio <= 100),
                "--max-latency-ratio must be 0 (off) or within 1.1-100");
        check(pacingFloor >= 1 && pacingFloor <= 1_000_000, "--pacing-floor must be within 1-1000000");
        check(pacingStart >= 1 && pacingStart <= 10_000_000, "--pacing-start must be within 1-10000000");
        check(pacingWindowMillis >= 50 && pacingWindowMillis <= 60_000, "--pacing-window-ms must be within 50-60000");
        check(pacingTarget >= 0.3 && pacingTarget <= 1, "--pacing-target must be within 0.3-1");
        check(pacingBaselineMillis >= 200 && pacingBaselineMillis <= 60_000, "--pacing-baseline-ms must be within 200-60000");
        check(pacingIntervalMillis >= 1 && pacingIntervalMillis <= 1_000, "--pacing-interval-ms must be within 1-1000");
        check(pacingBaselineQuantile >= 0.05 && pacingBaselineQuantile <= 0.95, "--pacing-baseline-quantile must be within 0.05-0.95");
    }

    /** These move options with the pacing options at their defaults. */
    public MoveTuning(int scanCount, int batchKeys, int batchMillis, int parallelSources, double maxLatencyRatio) {
        this(scanCount, batchKeys, batchMillis, parallelSources, maxLatencyRatio, DEFAULT_FLOOR, DEFAULT_START, DEFAULT_WINDOW_MILLIS);
    }

    /** These options with the target, baseline, probe interval and baseline quantile of latency pacing at their defaults. */
    public MoveTuning(int scanCount, int batchKeys, int batchMillis, int parallelSources, double maxLatencyRatio, int pacingFloor,
                      int pacingStart, int pacingWindowMillis) {
        this(scanCount, batchKeys, batchMillis, parallelSources, maxLatencyRatio, pacingFloor, pacingStart, pacingWindowMillis,
                DEFAULT_TARGET, DEFAULT_BASELINE_MILLIS, DEFAULT_INTERVAL_MILLIS, DEFAULT_BASELINE_QUANTILE);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
