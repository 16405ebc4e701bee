package io.kvstore.proxy.backend;

/**
 * How the proxy connects to redis-servers. Immutable value.
 *
 * @param connectionsPerLoop pipelined connections each event loop keeps to each backend
 * @param connectTimeoutMillis how long a connect may take before the backend counts as down
 * @param minBackoffMillis  wait after the first failure before trying again
 * @param maxBackoffMillis  the wait doubles per failure up to this
 */
public record BackendOptions(int connectionsPerLoop, int connectTimeoutMillis, int minBackoffMillis, int maxBackoffMillis) {

    public static final BackendOptions DEFAULTS = new BackendOptions(1, 1000, 100, 3000);

    public BackendOptions {
        if (connectionsPerLoop < 1 || connectTimeoutMillis < 1 || minBackoffMillis < 1 || maxBackoffMillis < minBackoffMillis) {
            throw new IllegalArgumentException("bad backend options");
        }
    }
}
