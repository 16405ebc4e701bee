package io.kvstore.proxy.backend;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.resp.FramerLimits;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How the proxy connects to redis-servers. Immutable value.
 *
 * @param connectionsPerLoop pipelined connections each event loop keeps to each backend
 * @param connectTimeoutMillis how long a connect may take before the backend counts as down
 * @param minBackoffMillis  wait after the first failure before trying again
 * @param maxBackoffMillis  the wait doubles per failure up to this
 * @param stallMillis       a shared connection with requests pending and no reply for this long is
 *                          closed and its requests fail (a hung or paused server); 0 = never
 * @param dialAddress       where to connect for a server the slot map names: the identity, except
 *                          where something stands in front of this proxy's connections to it (the
 *                          fault-injecting relay of the tests). The map's address stays the
 *                          server's name in routing, errors and logs. Called on the event loop: it
 *                          must be a pure, non-blocking function.
 * @param maxReplyLength    a bulk reply longer than this, or an aggregate of more elements, is a
 *                          protocol error of the server's (the proxy's {@code --max-bulk-length})
 */
public record BackendOptions(int connectionsPerLoop, int connectTimeoutMillis, int minBackoffMillis, int maxBackoffMillis,
                             int stallMillis, UnaryOperator<HostPort> dialAddress, long maxReplyLength) {

    /** A paused or hung server fails its pending requests after this long without a reply. */
    public static final int DEFAULT_STALL_MILLIS = 10_000;

    public static final BackendOptions DEFAULTS = new BackendOptions(1, 1000, 100, 3000, DEFAULT_STALL_MILLIS);

    public BackendOptions(int connectionsPerLoop, int connectTimeoutMillis, int minBackoffMillis, int maxBackoffMillis) {
        this(connectionsPerLoop, connectTimeoutMillis, minBackoffMillis, maxBackoffMillis, DEFAULT_STALL_MILLIS);
    }

    public BackendOptions(int connectionsPerLoop, int connectTimeoutMillis, int minBackoffMillis, int maxBackoffMillis,
                          int stallMillis) {
        this(connectionsPerLoop, connectTimeoutMillis, minBackoffMillis, maxBackoffMillis, stallMillis, UnaryOperator.identity(),
                FramerLimits.DEFAULTS.maxBulkLength());
    }

    /** The same options, connecting to {@code dial.apply(server)} for each server. */
    public BackendOptions dialing(UnaryOperator<HostPort> dial) {
        return new BackendOptions(connectionsPerLoop, connectTimeoutMillis, minBackoffMillis, maxBackoffMillis, stallMillis, dial,
                maxReplyLength);
    }

    /** The same options, refusing replies beyond {@code max} (bytes of a bulk, elements of an aggregate). */
    public BackendOptions maxReply(long max) {
        return new BackendOptions(connectionsPerLoop, connectTimeoutMillis, minBackoffMillis, maxBackoffMillis, stallMillis,
                dialAddress, max);
    }

    public BackendOptions {
        if (connectionsPerLoop < 1 || connectTimeoutMillis < 1 || minBackoffMillis < 1 || maxBackoffMillis < minBackoffMillis
                || stallMillis < 0 || maxReplyLength < 1 || maxReplyLength > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("bad backend options");
        }
        Objects.requireNonNull(dialAddress, "dialAddress");
    }
}
