package io.kvstore.admin.reshard;

/**
 * Keeps the mover (and backup and restore) under a number of keys per second, so they never
 * starve client traffic. A plain pacing clock: each key costs 1/rate seconds, and the caller sleeps whenever it
 * runs ahead. Any thread: the movers of several sources share one clock (the lock is held only to
 * book a slot, never while sleeping), and latency pacing changes the rate while they run.
 */
public final class RateLimit {

    private long nanosPerKey;
    private long next = System.nanoTime();

    /** {@code keysPerSecond <= 0} means no limit. */
    public RateLimit(int keysPerSecond) {
        rate(keysPerSecond);
    }

    /** Changes the rate from now on; {@code keysPerSecond <= 0} means no limit. */
    public synchronized void rate(int keysPerSecond) {
        this.nanosPerKey = keysPerSecond <= 0 ? 0 : 1_000_000_000L / keysPerSecond;
    }

    public void acquire(int keys) {
        long wait;
        synchronized (this) {
            if (nanosPerKey == 0) {
                return;
            }
            long now = System.nanoTime();
            next = Math.max(next, now - 1_000_000_000L / 10) + nanosPerKey * keys; // at most 100 ms of credit
            wait = next - now;
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
