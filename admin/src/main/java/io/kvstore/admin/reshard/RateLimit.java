package io.kvstore.admin.reshard;

/**
 * Keeps the mover under a number of keys per second, so a migration never starves client
 * traffic. A plain pacing clock: each key costs 1/rate seconds, and the caller sleeps whenever it
 * runs ahead. Driver thread only.
 */
final class RateLimit {

    private final long nanosPerKey;
    private long next = System.nanoTime();

    /** {@code keysPerSecond <= 0} means no limit. */
    RateLimit(int keysPerSecond) {
        this.nanosPerKey = keysPerSecond <= 0 ? 0 : 1_000_000_000L / keysPerSecond;
    }

    void acquire(int keys) {
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
