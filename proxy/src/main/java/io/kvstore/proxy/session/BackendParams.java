package io.kvstore.proxy.session;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.SlotMap;
import io.kvstore.config.redis.ServerConfig;
import io.kvstore.config.store.BackendConfigChange;
import io.kvstore.config.store.ClusterStore;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a proxy's CONFIG SET and CONFIG RESETSTAT go: every master and replica of the cluster.
 * In ZooKeeper mode ({@link #recorded}) a set takes the way of {@code kvstore-admin config set}
 * ({@link BackendConfigChange#set}: checked by one server, recorded in {@code backend-config},
 * then given to the others); in static mode ({@link #direct}) the same order without the record.
 *
 * <p>Every call blocks on redis-servers (and ZooKeeper): never on an event loop
 * ({@link ConfigSetCommand} runs them on its own thread). Implementations are stateless.
 */
public interface BackendParams {

    /**
     * Sets {@code param} to {@code value} on every server.
     *
     * @throws IllegalArgumentException not on the list of {@link ServerConfig#ALLOWED}, or refused
     *     by Redis (the {@code RespClient.RedisError} is the cause; nothing was set or recorded)
     * @throws io.kvstore.config.store.StoreException ZooKeeper unreachable, or no server answered
     */
    BackendConfigChange.Outcome set(String param, String value);

    /** CONFIG RESETSTAT on every server; one line per server that did not take it. */
    List<String> resetStats();

    /** ZooKeeper mode: recorded in cluster {@code cluster}'s {@code backend-config}, servers as its topology lists them. */
    static BackendParams recorded(ClusterStore store, String cluster, BackendAuth auth) {
        return new BackendParams() {
            @Override
            public BackendConfigChange.Outcome set(String param, String value) {
                return BackendConfigChange.set(store, cluster, auth, param, value);
            }

            @Override
            public List<String> resetStats() {
                return ServerConfig.resetStats(BackendConfigChange.servers(store.read(cluster).value()), auth);
            }
        };
    }

    /** Static mode: the servers of the current slot map, nothing recorded. */
    static BackendParams direct(Supplier<SlotMap> map) {
        return new BackendParams() {
            @Override
            public BackendConfigChange.Outcome set(String param, String value) {
                SlotMap m = map.get();
                return BackendConfigChange.setOn(BackendConfigChange.servers(m.groups()), auth(m), param, value,
                        "of --backends", recorded -> { });
            }

            @Override
            public List<String> resetStats() {
                SlotMap m = map.get();
                return ServerConfig.resetStats(BackendConfigChange.servers(m.groups()), auth(m));
            }

            private BackendAuth auth(SlotMap m) {
                return m.groups().isEmpty() ? BackendAuth.NONE : m.groups().get(0).auth();
            }
        };
    }
}
