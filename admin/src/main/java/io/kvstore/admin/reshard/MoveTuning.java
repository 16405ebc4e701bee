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
 */
public record MoveTuning(int scanCount, int batchKeys, int batchMillis, int parallelSources, double maxLatencyRatio,
                         int pacingFloor, int pacingStart, int pacingWindowMillis) {

    /** The defaults, also what a job recorded before these options existed moves with. */
    public static final MoveTuning DEFAULT = new MoveTuning(1000, 500, 20, 4, 0);

    static final int DEFAULT_FLOOR = 500;
    static final int DEFAULT_START = 10_000;
    static final int DEFAULT_WINDOW_MILLIS = 500;

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
    }

    /** These move options with the pacing options at their defaults. */
    public MoveTuning(int scanCount, int batchKeys, int batchMillis, int parallelSources, double maxLatencyRatio) {
        this(scanCount, batchKeys, batchMillis, parallelSources, maxLatencyRatio, DEFAULT_FLOOR, DEFAULT_START, DEFAULT_WINDOW_MILLIS);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
