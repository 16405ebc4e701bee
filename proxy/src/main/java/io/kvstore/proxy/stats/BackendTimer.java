package io.kvstore.proxy.stats;

import io.netty.buffer.ByteBuf;

/**
 * Backend time of one pipelined connection: the send time of every request in flight, oldest
 * first, parallel to the connection's FIFO of reply sinks, so the n-th reply is timed against the
 * n-th send. A ring of longs that doubles when full: no allocation per request. Owned by the
 * connection's event loop; the figures go to its server's {@link Latency} for that loop.
 */
public final class BackendTimer {

    /** For connections nobody times (tests, stats off). */
    public static final BackendTimer NONE = new BackendTimer(null);

    private final Latency latency;
    private long[] sent = new long[16];
    private int head;
    private int size;

    BackendTimer(Latency latency) {
        this.latency = latency;
    }

    /** A request went onto the wire. */
    public void sent() {
        if (latency == null) {
            return;
        }
        if (size == sent.length) {
            grow();
        }
        sent[(head + size) & (sent.length - 1)] = System.nanoTime();
        size++;
    }

    /** The reply to the oldest request in flight arrived. */
    public void replied(ByteBuf reply) {
        if (latency == null || size == 0) {
            return;
        }
        latency.record(System.nanoTime() - sent[head]);
        head = (head + 1) & (sent.length - 1);
        size--;
        if (CommandStats.isError(reply)) {
            latency.error();
        }
    }

    /** The connection was lost with every request in flight: each counts as an error. */
    public void lost() {
        if (latency == null) {
            return;
        }
        for (; size > 0; size--) {
            latency.error();
        }
        head = 0;
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
