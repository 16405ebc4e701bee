package io.kvstore.proxy.backend;

/**
 * How the proxy connects to redis-servers. Immutable value.
 *
 * @param connectionsPerLoop pipelined connections each event loop keeps to each backend
 * @param connectTimeoutMillis how long a connect may take before the backend counts as down
 * @param minBackoffMillis  wait after the first failure before trying again
 * @param maxBackoffMillis  the wait doubles per failure up to this
 * @param stallMillis       a shared connection with requests pending and no reply for this long is
 *                          closed and its requests fail (a hung or paused server); 0 = never
 */
public record BackendOptions(int connectionsPerLoop, int connectTimeoutMillis, int minBackoffMillis, int maxBackoffMillis,
                             int stallMillis) {

    /** A paused or hung server fails its pending requests after this long without a reply. */
    public static final int DEFAULT_STALL_MILLIS = 10_000;

    public static final BackendOptions DEFAULTS = new BackendOptions(1, 1000, 100, 3000, DEFAULT_STALL_MILLIS);

    public BackendOptions(int connectionsPerLoop, int connectTimeoutMillis, int minBackoffMillis, int maxBackoffMillis) {
        this(connectionsPerLoop, connectTimeoutMillis, minBackoffMillis, maxBackoffMillis, DEFAULT_STALL_MILLIS);
    }

    public BackendOptions {
        if (connectionsPerLoop < 1 || connectTimeoutMillis < 1 || minBackoffMillis < 1 || maxBackoffMillis < minBackoffMillis
                || stallMillis < 0) {
            throw new IllegalArgumentException("bad backend options");
        }
    }
}
