package io.kvstore.proxy.server;

import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.backend.ConnectionDrain;
import io.kvstore.proxy.loop.WorkerContext;
import io.kvstore.proxy.session.ClientRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The drain on a slot-map switch: the proxy reports an epoch as applied only once every request
 * it routed by an older map is answered, so that a migration step that starts once every proxy
 * reports the epoch never races such a request on the source (doc/resharding.md). Each loop asks
 * its backend pool to drain ({@link io.kvstore.proxy.backend.BackendPool#drain}) its busy
 * connections: the shared ones, plus the tracked ones and its clients' own connections (an EXEC,
 * a WATCH, a blocking command being moved; a blocking wait whose keys stay is left alone, it is
 * routed right by the new map too). A loop that has not drained when the time is up has its
 * unanswered connections dropped (their requests fail, as on a stall), so that nothing routed by
 * the older map can still be waiting in the proxy when the epoch is reported.
 *
 * <p>Threads: {@link #begin} runs on each worker loop for that loop's connections; {@link #await}
 * on the control thread. Invariant: {@code drains} maps a loop to its drain, which only that loop
 * touches; the latch counts loops not yet drained.
 */
final class DrainBarrier {

    private final CountDownLatch drained;
    private final Map<WorkerContext, ConnectionDrain> drains = new ConcurrentHashMap<>();

    DrainBarrier(int loops) {
        this.drained = new CountDownLatch(loops);
    }

    /** On {@code w}'s loop: starts the drain of the loop's busy connections. */
    void begin(WorkerContext w, ClientRegistry clients) {
        List<BackendConnection> others = new ArrayList<>();
        if (w.trackingIfAny() != null) {
            others.addAll(w.trackingIfAny().connections());
        }
        clients.ownBusyConnections(w, others);
        drains.put(w, w.backends().drain(others, drained::countDown));
    }

    /**
     * On the control thread: waits up to {@code millis} for every loop; then drops, on their loops,
     * the connections that have not answered. Returns how many were dropped (0: drained in time).
     */
    int await(long millis) throws InterruptedException {
        if (drained.await(millis, TimeUnit.MILLISECONDS)) {
            return 0;
        }
        AtomicInteger dropped = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(drains.size());
        String why = "requests routed by an older slot map still unanswered after " + millis + " ms";
        drains.forEach((w, drain) -> w.loop().execute(() -> {
            dropped.addAndGet(drain.dropUnanswered(why));
            done.countDown();
        }));
        done.await(5, TimeUnit.SECONDS);
        return dropped.get();
    }
}
