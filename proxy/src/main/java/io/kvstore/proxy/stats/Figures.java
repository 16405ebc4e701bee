package io.kvstore.proxy.stats;

import org.HdrHistogram.Histogram;

/**
 * One command's or one backend server's figures summed over every loop since start: calls, their
 * total time, errors ({@code failed}), refusals ({@code rejected}, commands only) and a copy of
 * the latency histogram in nanoseconds, which the holder may read freely.
 */
public record Figures(String name, long calls, long sumNanos, long failed, long rejected, Histogram histogram) {

    /** The latency at {@code percentile} (0-100) in microseconds. */
    public double percentileMicros(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Redis's {@code p50=..,p99=..,p99.9=..}, microseconds with three decimals. */
    public String percentiles() {
        return String.format(java.util.Locale.ROOT, "p50=%.3f,p99=%.3f,p99.9=%.3f",
                percentileMicros(50), percentileMicros(99), percentileMicros(99.9));
    }
}
