package io.kvstore.proxy.server;

import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.loop.WorkerContext;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.session.ClientRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The drain on a slot-map switch: the proxy reports an epoch as applied only once every request
 * it routed by an older map is answered, so that a migration step that starts once every proxy
 * reports the epoch never races such a request on the source (doc/resharding.md). Each loop sends
 * a PING on each of its busy backend connections: the shared and tracked ones, and its clients'
 * own connections (an EXEC, a WATCH, a blocking command being moved; a blocking wait whose keys
 * stay is left alone, it is routed right by the new map too). A connection answers in order, so
 * its PING's answer means everything written before it was answered. A connection that has not
 * answered when the time is up is dropped (its requests fail, as on a stall), so that nothing
 * routed by the older map can still be waiting in the proxy when the epoch is reported.
 *
 * <p>Threads: {@link #begin} runs on each worker loop for that loop's connections; {@link #await}
 * on the control thread. Invariant: {@code pending} maps a loop to the connections whose PING is
 * unanswered, each set touched on its loop only; the latch counts loops whose set is not yet empty.
 */
final class DrainBarrier {

    private final CountDownLatch drained;
    private final Map<WorkerContext, Set<BackendConnection>> pending = new ConcurrentHashMap<>();

    DrainBarrier(int loops) {
        this.drained = new CountDownLatch(loops);
    }

    /** On {@code w}'s loop: a PING on each busy connection of the loop. */
    void begin(WorkerContext w, ClientRegistry clients) {
        List<BackendConnection> all = new ArrayList<>(w.backends().all());
        if (w.trackingIfAny() != null) {
            all.addAll(w.trackingIfAny().connections());
        }
        all.removeIf(c -> !c.busy());
        clients.ownBusyConnections(w, all);
        Set<BackendConnection> busy = Collections.newSetFromMap(new IdentityHashMap<>());
        busy.addAll(all);
        if (busy.isEmpty()) {
            drained.countDown();
            return;
        }
        pending.put(w, busy);
        for (BackendConnection c : List.copyOf(busy)) { // a copy: a dead connection answers at once
            ByteBuf ping = Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n", StandardCharsets.US_ASCII);
            c.send(ping, new ReplySink() {
                @Override
                public void onReply(ByteBuf reply) {
                    reply.release();
                    answered(busy, c);
                }

                @Override
                public void onFailure(String message) {
                    answered(busy, c); // the connection died: nothing on it can still run
                }
            });
        }
    }

    private void answered(Set<BackendConnection> busy, BackendConnection c) {
        if (busy.remove(c) && busy.isEmpty()) {
            drained.countDown();
        }
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
        CountDownLatch done = new CountDownLatch(pending.size());
        pending.forEach((w, busy) -> w.loop().execute(() -> {
            for (BackendConnection c : List.copyOf(busy)) {
                dropped.incrementAndGet();
                c.abort("requests routed by an older slot map still unanswered after " + millis + " ms");
                answered(busy, c); // an idle-but-connecting one has nothing in flight to fail
            }
            done.countDown();
        }));
        done.await(5, TimeUnit.SECONDS);
        return dropped.get();
    }
}
