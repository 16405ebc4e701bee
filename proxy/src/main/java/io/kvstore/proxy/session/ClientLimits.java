package io.kvstore.proxy.session;

import io.kvstore.proxy.resp.FramerLimits;

/**
 * Per-client limits. Immutable value.
 *
 * @param framer            sizes of requests
 * @param maxPending        requests of one client in flight at once; beyond it the proxy stops
 *                          reading from that client until replies come back (backpressure)
 * @param maxClients        client connections at once; more are refused with an error
 * @param maxOutputBuffer   bytes of replies a client may leave unread before it is disconnected,
 *                          like Redis's client-output-buffer-limit
 * @param maxHoldMillis     how long a request on a slot frozen for migration may wait for the
 *                          migration to let it through before it fails with -TRYAGAIN
 * @param maxInFlight       requests of all clients together in flight at once, split evenly over
 *                          the event loops; a loop whose share is used up stops reading the client
 *                          that used it up until half is answered; 0 = no bound
 */
public record ClientLimits(FramerLimits framer, int maxPending, int maxClients, long maxOutputBuffer, long maxHoldMillis,
                           int maxInFlight) {

    /**
     * Default proxy-wide bound: about 270 B of heap per pending GET (doc/performance.md) makes
     * 500,000 about 135 MB of the default 512 MB heap, leaving room for the request bytes and
     * everything else (1,000,000 took 212 MB live, 2,400,000 ended the proxy).
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 500_000;

    /** Default hold: long enough for a freeze (two ZooKeeper round trips), short of common client timeouts. */
    public static final long DEFAULT_HOLD_MILLIS = 2000;

    public static final ClientLimits DEFAULTS = new ClientLimits(FramerLimits.DEFAULTS, 4096, 10000, 512L * 1024 * 1024);

    public ClientLimits {
        if (maxInFlight < 0) {
            throw new IllegalArgumentException("--max-requests-in-flight must be 0 (no bound) or more, not " + maxInFlight);
        }
        if (maxPending < 1 || maxClients < 1 || maxOutputBuffer < 1024 || maxHoldMillis < 0) {
            throw new IllegalArgumentException("bad client limits");
        }
    }

    public ClientLimits(FramerLimits framer, int maxPending, int maxClients, long maxOutputBuffer, long maxHoldMillis) {
        this(framer, maxPending, maxClients, maxOutputBuffer, maxHoldMillis, DEFAULT_MAX_IN_FLIGHT);
    }

    public ClientLimits(FramerLimits framer, int maxPending, int maxClients, long maxOutputBuffer) {
        this(framer, maxPending, maxClients, maxOutputBuffer, DEFAULT_HOLD_MILLIS);
    }

    /** The same limits with {@code --max-requests-in-flight} {@code n}. */
    public ClientLimits withMaxInFlight(int n) {
        return new ClientLimits(framer, maxPending, maxClients, maxOutputBuffer, maxHoldMillis, n);
    }
}
