package io.kvstore.proxy.stats;

import io.netty.buffer.ByteBuf;

/**
 * Backend time of one pipelined connection: the send time of every request in flight, oldest
 * first, parallel to the connection's FIFO of reply sinks, so the n-th reply is timed against the
 * n-th send. A ring of longs that doubles when full: no allocation per request. Owned by the
 * connection's event loop; the figures go to its server's {@link Latency} for that loop.
 *
 * <p>One clock reading serves many requests: the requests written in one loop pass are stamped
 * together when the connection is flushed (when they really leave), and a reply's arrival time is
 * lent to the loop ({@link LoopStats#now}) while its sink runs, so the client's total time ends at
 * the same reading.
 */
public final class BackendTimer {

    /** For connections nobody times (tests, stats off). */
    public static final BackendTimer NONE = new BackendTimer(null, null, null);

    private final Latency latency;
    private final LoopStats loop;
    /** Connects, losses and stalls: counted even with timing off; null for connections nobody watches. */
    private final BackendEvents events;
    private long[] sent = new long[16];
    private int head;
    private int size;
    /** The newest requests, written but not flushed yet: their send time is not known. */
    private int unstamped;

    BackendTimer(Latency latency, LoopStats loop, BackendEvents events) {
        this.latency = latency;
        this.loop = loop;
        this.events = events;
    }

    /** The connection is up (its first connect, or a reconnect). */
    public void connected() {
        if (events != null) {
            events.connected();
        }
    }

    /** A connect failed; the connection backs off before the next. */
    public void connectFailed() {
        if (events != null) {
            events.connectFailed();
        }
    }

    /** Requests waited {@code millis} with no reply, over the stall limit; {@link #lost} follows. */
    public void stalled(long millis) {
        if (events != null) {
            events.stalled(millis);
        }
    }

    /** A request was written (it leaves at the next {@link #flushed}). */
    public void sent() {
        if (latency == null) {
            return;
        }
        if (size == sent.length) {
            grow();
        }
        size++;
        unstamped++;
    }

    /** The connection is being flushed: every request written since the last flush leaves now. */
    public void flushed() {
        if (unstamped == 0) {
            return;
        }
        long now = System.nanoTime();
        for (int i = size - unstamped; i < size; i++) {
            sent[(head + i) & (sent.length - 1)] = now;
        }
        unstamped = 0;
    }

    /** The reply to the oldest request in flight arrived; call {@link #sinkDone} once its sink has run. */
    public void replied(ByteBuf reply) {
        if (latency == null || size == 0) {
            return;
        }
        long now = System.nanoTime();
        loop.event(now);
        latency.record(size > unstamped ? now - sent[head] : 0);
        head = (head + 1) & (sent.length - 1);
        size--;
        unstamped = Math.min(unstamped, size);
        if (CommandStats.isError(reply)) {
            latency.error();
        }
    }

    /** The sink of the last reply has run: the loop's clock reading is no longer current. */
    public void sinkDone() {
        if (loop != null) {
            loop.event(0);
        }
    }

    /** The connection was lost with every request in flight: each counts as an error. */
    public void lost() {
        if (events != null) {
            events.lost();
        }
        if (latency == null) {
            return;
        }
        for (; size > 0; size--) {
            latency.error();
        }
        head = 0;
        unstamped = 0;
    }

    /** A request failed without reaching the wire (backend unavailable). */
    public void failed() {
        if (latency != null) {
            latency.error();
        }
    }

    private void grow() {
        long[] bigger = new long[sent.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = sent[(head + i) & (sent.length - 1)];
        }
        sent = bigger;
        head = 0;
    }
}
