package io.kvstore.admin.reshard;

/**
 * One window of latency pacing, for the operator and for tuning ({@code rebalance --json}'s
 * {@code pacing.trace}): what the probe measured, what the mover reached, and the rate set for the
 * next window. Immutable value.
 *
 * @param p99Micros      the probe's p99 over the window, microseconds
 * @param samples        round trips the p99 is taken over
 * @param keysPerSecond  keys moved per second, over the last windows
 * @param rate           the rate set after this window, keys per second
 */
public record PacingWindow(long p99Micros, int samples, long keysPerSecond, int rate) {
}
