package io.kvstore.proxy.stats;

/**
 * What happened to one event loop's shared connections to one backend server: connects made
 * (the first and every reconnect), connects that failed, connections lost (closed by the server,
 * a network error, or by the proxy after a stall) and stalls. Every connection made ends in
 * exactly one loss, so connects minus losses is the number open now. Written only by the loop
 * that owns the connections; read by any thread.
 */
final class BackendEvents {

    private final Counter connects = new Counter();
    private final Counter connectFailures = new Counter();
    private final Counter losses = new Counter();
    private final Counter stalls = new Counter();

    void connected() {
        connects.add(1);
    }

    void connectFailed() {
        connectFailures.add(1);
    }

    void lost() {
        losses.add(1);
    }

    void stalled() {
        stalls.add(1);
    }

    /** Adds this loop's counts to {@code sum}: connects, connect failures, losses, stalls. */
    void addTo(long[] sum) {
        sum[0] += connects.get();
        sum[1] += connectFailures.get();
        sum[2] += losses.get();
        sum[3] += stalls.get();
    }
}
