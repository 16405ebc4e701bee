package io.kvstore.proxy.hotkeys;

/**
 * A Count-Min sketch with conservative update: {@code DEPTH} rows of {@code width} counters; an
 * item's estimate is the smallest of its counters, never below its true total and above it by at
 * most {@code e/width} of everything added (with probability {@code 1 - e^-DEPTH}). Conservative
 * update raises only the counters that are below the new estimate, which keeps the overestimate of
 * rare items small on skewed streams. Fixed size, no allocation after construction. Not
 * thread-safe: owned by one event loop ({@link KeySampler}).
 */
final class CountMinSketch {

    static final int DEPTH = 4;

    private final long[] counters;
    private final int mask;

    /** {@code width} is rounded up to a power of two. */
    CountMinSketch(int width) {
        int w = Integer.highestOneBit(Math.max(16, width - 1) << 1);
        this.counters = new long[DEPTH * w];
        this.mask = w - 1;
    }

    /** Adds {@code n} to the item of 64-bit hash {@code hash} and returns its new estimate. */
    long add(long hash, long n) {
        long estimate = estimate(hash) + n;
        for (int row = 0; row < DEPTH; row++) {
            int i = index(hash, row);
            if (counters[i] < estimate) {
                counters[i] = estimate;
            }
        }
        return estimate;
    }

    /** The estimate of the item of hash {@code hash}: at least its true total. */
    long estimate(long hash) {
        long min = Long.MAX_VALUE;
        for (int row = 0; row < DEPTH; row++) {
            min = Math.min(min, counters[index(hash, row)]);
        }
        return min;
    }

    void clear() {
        java.util.Arrays.fill(counters, 0);
    }

    /** Row {@code row}'s counter: Kirsch-Mitzenmacher, h1 + row * h2 from the hash's two halves. */
    private int index(long hash, int row) {
        int h = (int) hash + row * (int) (hash >>> 32);
        return row * (mask + 1) + (h & mask);
    }
}
