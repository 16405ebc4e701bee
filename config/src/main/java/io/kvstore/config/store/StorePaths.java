package io.kvstore.config.store;

import io.kvstore.config.HostPort;

/**
 * The ZooKeeper paths of the layout described in {@code doc/zookeeper-layout.md}. Stateless.
 *
 * <pre>
 * /kvstore
 *   clusters/NAME              (persistent, empty)   one per cluster
 *     topology                 (persistent, JSON)    mode, groups, slot ranges, epoch: the whole routing state
 *     proxies/ID               (ephemeral, JSON)     one per running proxy: address, start, applied epoch
 *     migrations/              (persistent, empty)   reserved: resharding
 *     failover/                (persistent, empty)   reserved: failover records
 *   servers/HOST:PORT          (persistent, JSON)    which cluster and group a redis-server belongs to
 * </pre>
 */
public final class StorePaths {

    public static final String ROOT = "/kvstore";
    public static final String CLUSTERS = ROOT + "/clusters";
    public static final String SERVERS = ROOT + "/servers";

    private StorePaths() {
    }

    public static String cluster(String name) {
        return CLUSTERS + "/" + Topology.checkName("cluster name", name);
    }

    public static String topology(String name) {
        return cluster(name) + "/topology";
    }

    public static String proxies(String name) {
        return cluster(name) + "/proxies";
    }

    public static String proxy(String name, String id) {
        if (id.isEmpty() || id.contains("/") || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("bad proxy id '" + id + "'");
        }
        return proxies(name) + "/" + id;
    }

    public static String migrations(String name) {
        return cluster(name) + "/migrations";
    }

    public static String failover(String name) {
        return cluster(name) + "/failover";
    }

    /** The claim node of a redis-server: its {@code host:port} is the node name. */
    public static String server(HostPort address) {
        return SERVERS + "/" + address;
    }
}
