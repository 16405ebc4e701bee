package io.kvstore.proxy.session;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the freeze of migration steps costs this proxy's clients, for the {@code # Proxy} section
 * of INFO: how many requests waited on a frozen slot, how many gave up (-TRYAGAIN), and the
 * longest wait seen. Thread-safe: every event loop records into the one instance.
 */
public final class HoldStats {

    private final LongAdder held = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final AtomicLong maxMillis = new AtomicLong();
    private final LongAdder totalMillis = new LongAdder();
    private final io.kvstore.proxy.stats.LatencyMonitor monitor;

    HoldStats(io.kvstore.proxy.stats.LatencyMonitor monitor) {
        this.monitor = monitor;
    }

    /** The figures for the metrics: holds, -TRYAGAIN timeouts, time held in all (ms), longest hold (ms). */
    public record Figures(long holds, long timeouts, long totalMillis, long maxMillis) {
    }

    /** A request starts waiting on a frozen slot. */
    void held() {
        held.increment();
    }

    /** A held request is let go after {@code waitedMillis} (dispatched again, or failed). */
    void released(long waitedMillis) {
        maxMillis.accumulateAndGet(waitedMillis, Math::max);
        totalMillis.add(waitedMillis);
        monitor.record("migration-hold", waitedMillis);
    }

    public Figures figures() {
        return new Figures(held.sum(), timedOut.sum(), totalMillis.sum(), maxMillis.get());
    }

    /** A held request waited longer than the limit and got -TRYAGAIN. */
    void timedOut(long waitedMillis) {
        timedOut.increment();
        released(waitedMillis);
    }

    /** CONFIG RESETSTAT. */
    void reset() {
        held.reset();
        timedOut.reset();
        maxMillis.set(0);
        totalMillis.reset();
    }

    /** The INFO lines. */
    String info() {
        return "migration_holds:" + held.sum() + "\r\n"
                + "migration_hold_timeouts:" + timedOut.sum() + "\r\n"
                + "migration_hold_max_ms:" + maxMillis.get() + "\r\n";
    }
}
