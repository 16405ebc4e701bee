package io.kvstore.proxy.session;

import io.kvstore.proxy.resp.Request;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The requests of one client that may not be dispatched yet, oldest first, each with its place in
 * the client's reply queue. Three reasons hold a request: it must go on another kind of backend
 * connection than the one before while that one still owes replies (a switch), an earlier request
 * of the client is having its keys moved for a migration (a gate), or it touches a slot frozen for
 * a migration step (a freeze, released by the next map or failed with -TRYAGAIN by its timer).
 * While any request is held every later one is held behind it, so a client's commands still run
 * in the order sent. Confined to the client's event loop.
 *
 * <p>Invariant: {@code frozenWait} is the request at the head of {@code held} while it waits for a
 * map, and {@code frozenTimer} is scheduled exactly then; nothing is dispatched while it waits.
 */
final class HeldRequests {

    /** The kinds of backend connection a client's requests go on; each keeps its order, two would race. */
    enum Lane { SHARED, TRACKED, DEDICATED }

    /** A request held back, with its place in the reply order. */
    private record Held(Request request, PendingReply pending) {
    }

    private final ClientSession session;
    private final ProxyContext proxy;
    private final CommandDispatcher dispatcher;
    private final ArrayDeque<PendingReply> replies;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private Lane lastLane = Lane.SHARED;
    private PendingReply gated;
    private PendingReply frozenWait;
    private PendingReply frozenFirst;
    private long frozenSinceNanos;
    private ScheduledFuture<?> frozenTimer;
    private boolean releasing;
    private boolean closed;

    /** {@code replies} is the client's reply queue, read to know whether earlier requests are answered. */
    HeldRequests(ClientSession session, ProxyContext proxy, CommandDispatcher dispatcher, ArrayDeque<PendingReply> replies) {
        this.session = session;
        this.proxy = proxy;
        this.dispatcher = dispatcher;
        this.replies = replies;
    }

    /** Whether a request just read must queue behind held ones instead of being dispatched. */
    boolean any() {
        return !held.isEmpty();
    }

    /** Queues a request just read behind the held ones. */
    void addLast(Request request, PendingReply pending) {
        held.addLast(new Held(request, pending));
    }

    /**
     * Holds {@code request} when it must go on another kind of backend connection than the previous
     * request while an earlier request is still unanswered: the two connections would race, and
     * Redis runs a client's commands in order. Returns whether it was held; it is dispatched again
     * once every earlier reply is in.
     */
    boolean holdForSwitch(Lane lane, Request request, PendingReply pending) {
        if (lane != lastLane && earlierOutstanding(pending)) {
            held.addFirst(new Held(request, pending)); // the first held; later requests queue behind it
            return true;
        }
        lastLane = lane;
        return false;
    }

    /**
     * Marks a request after which later requests wait until its reply is in: one whose keys are
     * being moved (MIGRATE), so that a request routed straight to the target by a newer map cannot
     * overtake it; or CLIENT TRACKING on, so that no read goes out untracked.
     */
    void gated(PendingReply pending) {
        gated = pending;
    }

    /** Holds a request behind an earlier gated one; see {@link #gated}. */
    boolean holdBehindGate(Request request, PendingReply pending) {
        if (gated == null || gated == pending || gated.isDone() || !earlierOutstanding(pending)) {
            gated = null;
            return false;
        }
        held.addFirst(new Held(request, pending));
        return true;
    }

    /**
     * Holds a request that touches a frozen slot (marked to migrate, keys not moving yet): it and
     * every later request of this client wait until a new map is in place, then are dispatched
     * again. A request held longer than the limit in all gets -TRYAGAIN, so a stuck migration
     * costs clients an error, never a hang.
     */
    void holdWhileFrozen(Request request, PendingReply pending, int slot) {
        if (pending != frozenFirst) {
            frozenFirst = pending; // a request held again after a map that did not thaw it keeps its first start
            frozenSinceNanos = System.nanoTime();
            proxy.holds().held();
        }
        held.addFirst(new Held(request, pending));
        frozenWait = pending;
        long leftMillis = proxy.limits().maxHoldMillis() - (System.nanoTime() - frozenSinceNanos) / 1_000_000;
        frozenTimer = session.worker().loop().schedule(() -> frozenTooLong(pending, slot), Math.max(0, leftMillis),
                TimeUnit.MILLISECONDS);
    }

    /** A new map is in place: a request waiting on a frozen slot is dispatched again (and held again if still frozen). */
    void mapChanged() {
        if (!closed && frozenWait != null) {
            frozenTimer.cancel(false);
            frozenTimer = null;
            frozenWait = null;
            proxy.holds().released((System.nanoTime() - frozenSinceNanos) / 1_000_000);
            release();
        }
    }

    private void frozenTooLong(PendingReply pending, int slot) {
        if (closed || frozenWait != pending) {
            return;
        }
        frozenWait = null;
        frozenTimer = null;
        proxy.holds().timedOut((System.nanoTime() - frozenSinceNanos) / 1_000_000);
        Held h = held.pollFirst();
        h.request().release();
        pending.onFailure("TRYAGAIN slot " + slot + " is frozen for a migration for more than "
                + proxy.limits().maxHoldMillis() + " ms");
        release();
    }

    private boolean earlierOutstanding(PendingReply pending) {
        for (PendingReply p : replies) {
            if (p == pending) {
                return false;
            }
            if (!p.isDone()) {
                return true;
            }
        }
        return false;
    }

    /** Dispatches held requests, oldest first, while nothing older is outstanding. */
    void release() {
        if (releasing) {
            return; // a held request being dispatched completed at once; the loop below goes on
        }
        releasing = true;
        try {
            while (!closed && frozenWait == null && !held.isEmpty()) {
                Held h = held.peekFirst();
                if (earlierOutstanding(h.pending())) {
                    return;
                }
                held.pollFirst();
                dispatcher.dispatch(session, h.request(), h.pending());
            }
        } finally {
            releasing = false;
        }
    }

    /** The client has gone: every held request is released, none is dispatched any more. */
    void close() {
        closed = true;
        if (frozenTimer != null) {
            frozenTimer.cancel(false);
            frozenTimer = null;
        }
        frozenWait = null;
        held.forEach(h -> h.request().release());
        held.clear();
    }
}
