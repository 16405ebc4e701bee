package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import java.util.Map;
import java.util.Objects;

/**
 * What one proxy sees of the redis-servers of its cluster, as published in its ephemeral node
 * {@code health/ID}: for each master and replica of the map it routes by, whether it answers PING
 * and since when. Immutable value; any thread.
 *
 * @param proxyId     the proxy's id (as under {@code proxies/})
 * @param epoch       the epoch of the map whose servers were checked
 * @param atMillis    when this view was written (the proxy's clock)
 * @param nodes       every server checked, by address
 */
public record HealthReport(String proxyId, long epoch, long atMillis, Map<HostPort, NodeHealth> nodes) {

    /**
     * One server as seen by one proxy.
     *
     * @param up          it answered the last check in time
     * @param sinceMillis when it went into that state, by the proxy's clock: a server is down for
     *                    a controller once it has been down for {@code down-after} by this
     * @param error       why the last check failed, or null when up
     */
    public record NodeHealth(boolean up, long sinceMillis, String error) {
    }

    public HealthReport {
        Objects.requireNonNull(proxyId, "proxyId");
        nodes = nodes == null ? Map.of() : Map.copyOf(nodes);
    }

    /** This proxy's view of {@code address}, or null if it does not check it. */
    public NodeHealth node(HostPort address) {
        return nodes.get(address);
    }
}
