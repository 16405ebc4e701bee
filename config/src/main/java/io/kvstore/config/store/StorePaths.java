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
 *     migrations/              (persistent)          resharding: the job under way
 *     failover/f-NNNNNNNNNN    (persistent, JSON)    one per failover (sequential): group, masters, state, epoch
 *     health/ID                (ephemeral, JSON)     one per running proxy: what it sees of each redis-server
 *     controller/              (persistent)          the failover controllers' leader latch (ephemeral sequential children)
 *     users                    (persistent, text)    ACL users, one rule line each, passwords as SHA-256 only
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

    /** The cluster-wide redis-server parameters ({@code kvstore-admin config set}). */
    public static String backendConfig(String name) {
        return cluster(name) + "/backend-config";
    }

    /** The cluster's key rewrite rules (absent: none). */
    public static String rewrite(String name) {
        return cluster(name) + "/rewrite";
    }

    /** The cluster's ACL users ({@code kvstore-admin user set}): one rule line per user. */
    public static String users(String name) {
        return cluster(name) + "/users";
    }

    public static String migrations(String name) {
        return cluster(name) + "/migrations";
    }

    public static String failover(String name) {
        return cluster(name) + "/failover";
    }

    /** One failover record; {@code id} is the sequential node's name ({@code f-0000000001}). */
    public static String failoverRecord(String name, String id) {
        return failover(name) + "/" + checkChild("failover record id", id);
    }

    /** The prefix of new failover records; ZooKeeper appends a 10-digit sequence number. */
    public static String failoverPrefix(String name) {
        return failover(name) + "/f-";
    }

    public static String health(String name) {
        return cluster(name) + "/health";
    }

    /** The health view of proxy {@code id} (same id as its registration). */
    public static String healthOf(String name, String id) {
        return health(name) + "/" + checkChild("proxy id", id);
    }

    /** The leader latch of the failover controllers. */
    public static String controller(String name) {
        return cluster(name) + "/controller";
    }

    private static String checkChild(String what, String id) {
        if (id.isEmpty() || id.contains("/") || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("bad " + what + " '" + id + "'");
        }
        return id;
    }

    /** The claim node of a redis-server: its {@code host:port} is the node name. */
    public static String server(HostPort address) {
        return SERVERS + "/" + address;
    }
}
