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
 */
public record ClientLimits(FramerLimits framer, int maxPending, int maxClients, long maxOutputBuffer, long maxHoldMillis) {

    /** Default hold: long enough for a freeze (two ZooKeeper round trips), short of common client timeouts. */
    public static final long DEFAULT_HOLD_MILLIS = 2000;

    public static final ClientLimits DEFAULTS = new ClientLimits(FramerLimits.DEFAULTS, 4096, 10000, 512L * 1024 * 1024);

    public ClientLimits {
        if (maxPending < 1 || maxClients < 1 || maxOutputBuffer < 1024 || maxHoldMillis < 0) {
            throw new IllegalArgumentException("bad client limits");
        }
    }

    public ClientLimits(FramerLimits framer, int maxPending, int maxClients, long maxOutputBuffer) {
        this(framer, maxPending, maxClients, maxOutputBuffer, DEFAULT_HOLD_MILLIS);
    }
}
