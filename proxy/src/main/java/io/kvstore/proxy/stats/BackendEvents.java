package io.kvstore.proxy.stats;

/**
 * What happened to one event loop's shared connections to one backend server: connects made
 * (the first and every reconnect), connects that failed, connections lost (closed by the server,
 * a network error, or by the proxy after a stall) and stalls. Every connection made ends in
 * exactly one loss, so connects minus losses is the number open now. Stalls and the time a server
 * was unreachable go to the {@link LatencyMonitor} too. Written only by the loop
 * that owns the connections; read by any thread.
 */
final class BackendEvents {

    private final Counter connects = new Counter();
    private final Counter connectFailures = new Counter();
    private final Counter losses = new Counter();
    private final Counter stalls = new Counter();
    private final LatencyMonitor monitor;
    /** When a connect first failed since the last connect (System.nanoTime), or 0: the loop's own. */
    private long unreachableSince;

    BackendEvents(LatencyMonitor monitor) {
        this.monitor = monitor;
    }

    void connected() {
        connects.add(1);
        if (unreachableSince != 0) {
            monitor.record("backend-reconnect", (System.nanoTime() - unreachableSince) / 1_000_000);
            unreachableSince = 0;
        }
    }

    void connectFailed() {
        connectFailures.add(1);
        if (unreachableSince == 0) {
            unreachableSince = System.nanoTime();
        }
    }

    void lost() {
        losses.add(1);
    }

    void stalled(long millis) {
        stalls.add(1);
        monitor.record("backend-stall", millis);
    }

    /** Adds this loop's counts to {@code sum}: connects, connect failures, losses, stalls. */
    void addTo(long[] sum) {
        sum[0] += connects.get();
        sum[1] += connectFailures.get();
        sum[2] += losses.get();
        sum[3] += stalls.get();
    }
}
