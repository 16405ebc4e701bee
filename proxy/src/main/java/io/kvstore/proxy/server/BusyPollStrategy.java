package io.kvstore.proxy.server;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;

/**
 * An event loop's choice, each pass, between handling what is ready and going to sleep: before it would sleep
 * in {@code epoll_wait} (or {@code select}/{@code kevent}), it polls without blocking for up to a fixed number of
 * microseconds, so a reply or request arriving within that window is handled without a sleep and a wake-up
 * (which the profile in doc/performance.md puts at a third of the proxy's kernel time at {@code -P 1}).
 * Invariant: a loop spins at most {@code spinNanos} per pass and only when it has no task queued; with tasks it
 * behaves as Netty's default (poll once, never sleep). Tasks submitted by other threads while it spins wait at
 * most {@code spinNanos} (their wake-up write is skipped while the loop is awake). One instance per event loop,
 * used only by that loop's thread; the factory is immutable and shared.
 */
final class BusyPollStrategy implements SelectStrategy {

    private final long spinNanos;

    private BusyPollStrategy(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** Netty's default strategy for 0 (sleep at once), else a spin of {@code micros} before sleeping. */
    static SelectStrategyFactory factory(long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException("busy-poll microseconds must be >= 0, got " + micros);
        }
        if (micros == 0) {
            return DefaultSelectStrategyFactory.INSTANCE;
        }
        long nanos = micros * 1_000L;
        return () -> new BusyPollStrategy(nanos);
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        int ready = selectNow.get();
        if (ready > 0 || hasTasks) {
            return ready; // as the default strategy: handle what is ready, then run the tasks
        }
        long start = System.nanoTime();
        do {
            Thread.onSpinWait();
            ready = selectNow.get();
            if (ready > 0) {
                return ready;
            }
        } while (System.nanoTime() - start < spinNanos);
        return SelectStrategy.SELECT;
    }
}
