package io.kvstore.admin.reshard;

/**
 * Keeps the mover (and backup and restore) under a number of keys per second, so they never
 * starve client traffic. A plain pacing clock: each key costs 1/rate seconds, and the caller sleeps whenever it
 * runs ahead. Driver thread only.
 */
public final class RateLimit {

    private final long nanosPerKey;
    private long next = System.nanoTime();

    /** {@code keysPerSecond <= 0} means no limit. */
    public RateLimit(int keysPerSecond) {
        this.nanosPerKey = keysPerSecond <= 0 ? 0 : 1_000_000_000L / keysPerSecond;
    }

    public void acquire(int keys) {
        if (nanosPerKey == 0) {
            return;
        }
        long now = System.nanoTime();
        next = Math.max(next, now - 1_000_000_000L / 10) + nanosPerKey * keys; // at most 100 ms of credit
        long wait = next - now;
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
