package io.kvstore.proxy.health;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.ServerConfig;
import io.kvstore.config.store.BackendConfig;
import io.kvstore.config.store.BackendConfigChange;
import io.kvstore.config.store.BackendConfigStore;
import io.kvstore.config.store.Topology;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cluster-wide parameters recorded with {@code kvstore-admin config set} on every
 * redis-server, for the failover controller: {@link #before} gives them to a server about to be
 * published as a master (a promoted replica, a rejoining master), and {@link #sweep}, once a
 * round, to each server of the topology that has not had the recorded values since it was last
 * seen up (a new group, a replica or old master that came back: a restarted redis-server has
 * lost what CONFIG SET gave it).
 *
 * <p>Owned by the controller's thread ({@code kvstore-failover}): every call blocks on ZooKeeper
 * and redis-servers, and {@code given} is touched by that thread only.
 */
public final class BackendConfigReapply {

    private static final Logger LOG = LoggerFactory.getLogger(BackendConfigReapply.class);

    private final BackendConfigStore recorded;
    private final BackendAuth auth;
    /** Per server, the values it was last given while seen up; controller thread only. */
    private final Map<HostPort, BackendConfig> given = new HashMap<>();

    public BackendConfigReapply(CuratorFramework zk, String cluster, BackendAuth auth) {
        this.recorded = new BackendConfigStore(zk, cluster);
        this.auth = auth;
    }

    /**
     * Gives {@code server} the recorded values now. A failure is logged, not thrown: a failover
     * does not wait for parameters; {@link #sweep} tries again each round.
     */
    public void before(HostPort server) {
        BackendConfig c = recorded.read();
        List<String> failures = ServerConfig.apply(List.of(server), auth, c.params());
        if (failures.isEmpty()) {
            given.put(server, c);
        } else {
            LOG.warn("cannot apply the cluster's redis parameters to {}: {}", server, failures.get(0));
        }
    }

    /** Gives the recorded values to every server of {@code t} that is {@code up} and has not had them since it came up. */
    public void sweep(Topology t, Predicate<HostPort> up) {
        BackendConfig c = recorded.read();
        for (HostPort s : BackendConfigChange.servers(t)) {
            if (!up.test(s)) {
                given.remove(s); // it may restart: give them again when it is back
                continue;
            }
            if (c.equals(given.get(s))) {
                continue;
            }
            List<String> failures = ServerConfig.apply(List.of(s), auth, c.params());
            if (failures.isEmpty()) {
                given.put(s, c);
            } else {
                LOG.warn("cannot apply the cluster's redis parameters to {}: {}", s, failures.get(0));
            }
        }
        given.keySet().retainAll(BackendConfigChange.servers(t));
    }
}
