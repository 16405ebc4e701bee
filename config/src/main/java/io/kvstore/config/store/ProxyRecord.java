package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import java.util.Objects;

/**
 * What a running proxy publishes about itself in its ephemeral registration node. Immutable
 * value; any thread.
 *
 * @param id              the node name under {@code proxies/}: the address clients use
 * @param address         where clients connect
 * @param startedAtMillis when the proxy process started (epoch milliseconds)
 * @param appliedEpoch    the topology epoch the proxy routes by now
 * @param appliedAtMillis when it applied that epoch
 * @param error           the last problem it has with the stored topology (unreadable, cluster
 *                        deleted, ...), or null while all is well
 * @param software        the proxy's version string
 */
public record ProxyRecord(String id, HostPort address, long startedAtMillis, long appliedEpoch, long appliedAtMillis,
                          String error, String software) {

    public ProxyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        software = software == null ? "unknown" : software;
    }

    /** The same proxy having applied {@code epoch} at {@code atMillis}, with {@code error} (null: none). */
    public ProxyRecord applied(long epoch, long atMillis, String err) {
        return new ProxyRecord(id, address, startedAtMillis, epoch, atMillis, err, software);
    }
}
