package io.kvstore.proxy.backend;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices a backend that stops answering without closing (paused, hung), which would otherwise
 * hold its requests forever: when requests are pending and no reply came for {@code stallMillis},
 * {@link #check} says so and the connection closes, failing every pending request. Counting
 * replies between periodic checks keeps the clock off the hot path: a reply only increments a
 * counter. Confined to its connection's event loop, where the check also runs.
 *
 * <p>Invariant: {@code stalledSinceNanos} is 0, or the time of the first check that saw requests
 * pending and no reply since the check before it; it is 0 again after a stall was reported.
 */
final class StallWatch {

    private final long stallMillis;
    private final boolean on;
    private long replies;
    private long repliesAtCheck;
    private long stalledSinceNanos;
    private ScheduledFuture<?> task;

    /** {@code on}: whether to watch at all (off for connections that wait for pushes, or a limit of 0). */
    StallWatch(long stallMillis, boolean on) {
        this.stallMillis = stallMillis;
        this.on = on && stallMillis > 0;
    }

    /** The connection is up: starts running {@code check} on {@code loop} a few times per limit, once for the connection's life. */
    void start(EventLoop loop, Runnable check) {
        if (on && task == null) {
            long period = Math.max(50, stallMillis / 4);
            task = loop.scheduleAtFixedRate(check, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** A reply arrived. */
    void replied() {
        replies++;
    }

    /**
     * One periodic check; {@code waiting}: whether requests are pending for which a reply is due
     * (not a blocking command that waits on purpose). Returns how many ms no reply came when that
     * is over the limit, else -1.
     */
    long check(boolean waiting) {
        if (!waiting) {
            stalledSinceNanos = 0;
            repliesAtCheck = replies;
            return -1;
        }
        long now = System.nanoTime();
        if (replies != repliesAtCheck || stalledSinceNanos == 0) {
            repliesAtCheck = replies;
            stalledSinceNanos = now;
        } else if (now - stalledSinceNanos > TimeUnit.MILLISECONDS.toNanos(stallMillis)) {
            long stalled = TimeUnit.NANOSECONDS.toMillis(now - stalledSinceNanos);
            stalledSinceNanos = 0;
            return stalled;
        }
        return -1;
    }

    /** The connection closed for good: no more checks. */
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
