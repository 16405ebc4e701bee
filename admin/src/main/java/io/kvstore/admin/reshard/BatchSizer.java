package io.kvstore.admin.reshard;

/**
 * How many keys the next {@code MIGRATE ... KEYS} carries. A batch is bounded by count and, as
 * a stand-in for bytes, by the time the last one took: MIGRATE serializes, sends and loads its
 * keys while the source (and the target) serve nobody else, so its time grows with the bytes it
 * carries and is exactly what clients of those servers wait. Asking each key's size (MEMORY USAGE)
 * would cost a round trip per key; the time of the batch just sent is free. After a batch slower
 * than the bound the next is scaled down in proportion (at least one key); after a fast one it
 * grows by a quarter, up to the count bound. One mover thread only.
 */
final class BatchSizer {

    private final int maxKeys;
    private final long maxNanos;
    private int next;

    BatchSizer(int maxKeys, long maxNanos) {
        this.maxKeys = maxKeys;
        this.maxNanos = maxNanos;
        this.next = maxKeys;
    }

    /** Keys the next batch may carry. */
    int next() {
        return next;
    }

    /** A batch of {@code keys} keys took {@code nanos}. */
    void took(int keys, long nanos) {
        if (nanos > maxNanos) {
            next = (int) Math.max(1, Math.min(next, (long) ((double) keys * maxNanos / nanos)));
        } else if (nanos < maxNanos / 2 && keys >= next) {
            next = Math.min(maxKeys, next + Math.max(1, next / 4));
        }
    }
}
