package io.kvstore.config.store;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.redis.ServerConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sets or forgets one cluster-wide redis-server parameter: the way {@code kvstore-admin config}
 * and a proxy's CONFIG SET share. Stateless; blocking (ZooKeeper and every server of the
 * cluster), so never on an event loop.
 *
 * <p>Order of a set: the value is first set on one server, which checks it and reports it back
 * normalised; only then is it recorded (compare-and-set), so a value Redis refuses is never
 * recorded; then every other master and replica gets it. A server that cannot be reached then
 * is listed in the outcome; it gets the recorded value when the failover controller sees it
 * rejoin or be promoted, and {@code kvstore-admin status} shows it as drift meanwhile.
 */
public final class BackendConfigChange {

    /** What a set did: the value recorded (as Redis reports it) and the servers that did not take it. */
    public record Outcome(String param, String value, List<String> failures) {
        public Outcome {
            failures = List.copyOf(failures);
        }
    }

    private BackendConfigChange() {
    }

    /** Every master, then every replica, of {@code t}, in group order. */
    public static List<HostPort> servers(Topology t) {
        return servers(t.groups());
    }

    /** Every master, then every replica, of {@code groups}, in their order. */
    public static List<HostPort> servers(List<Group> groups) {
        List<HostPort> out = new ArrayList<>();
        groups.forEach(g -> out.add(g.master()));
        for (Group g : groups) {
            out.addAll(g.replicas());
        }
        return out;
    }

    /**
     * Sets {@code param} to {@code value} on every server of {@code cluster} and records it.
     *
     * @throws IllegalArgumentException the parameter is not allowed, or Redis refused the value (nothing recorded)
     * @throws StoreException no cluster, ZooKeeper unreachable, or no server of the cluster answered
     */
    public static Outcome set(ClusterStore store, String cluster, BackendAuth auth, String param, String value) {
        String p = ServerConfig.checkAllowed(param);
        List<HostPort> servers = servers(store.read(cluster).value());
        return setOn(servers, auth, p, value, "of cluster " + cluster,
                recorded -> new BackendConfigStore(store.client(), cluster).update(c -> c.with(p, recorded)));
    }

    /**
     * The order of {@link #set} over {@code servers}, with {@code record} in place of the write to
     * ZooKeeper: the first server that answers checks the value, {@code record} gets the value it
     * reports back, then every other server gets that value. A proxy in static mode (no
     * ZooKeeper) records nothing.
     *
     * @param where how the servers are named in the error when none answers ("of cluster shop")
     * @throws IllegalArgumentException the parameter is not allowed, or Redis refused the value (its
     *     {@link RespClient.RedisError} is the cause; nothing recorded)
     */
    public static Outcome setOn(List<HostPort> servers, BackendAuth auth, String param, String value, String where,
                                Consumer<String> record) {
        String p = ServerConfig.checkAllowed(param);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            String normalised;
            try {
                normalised = ServerConfig.set(servers.get(i), auth, p, value);
            } catch (RespClient.RedisError refused) {
                throw new IllegalArgumentException("redis-server " + servers.get(i) + " refused " + p + " " + value + ": "
                        + refused.getMessage() + "; nothing was recorded", refused);
            } catch (IOException unreachable) {
                failures.add(servers.get(i) + ": " + unreachable.getMessage());
                continue;
            }
            String recorded = normalised == null ? value : normalised;
            record.accept(recorded);
            failures.addAll(ServerConfig.apply(servers.subList(i + 1, servers.size()), auth, Map.of(p, recorded)));
            return new Outcome(p, recorded, failures);
        }
        throw new StoreException.Unavailable("no redis-server " + where + " answered, nothing was recorded: "
                + String.join("; ", failures), null);
    }

    /** Forgets {@code param}: servers keep the value they have; a server that joins later keeps its own. */
    public static BackendConfig unset(ClusterStore store, String cluster, String param) {
        String p = ServerConfig.checkAllowed(param);
        return new BackendConfigStore(store.client(), cluster).update(c -> c.without(p));
    }
}
