package io.kvstore.config.redis;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * CONFIG SET and CONFIG GET of cluster-wide parameters on redis-servers, over the blocking
 * {@link RespClient}, and the list of parameters that may be set cluster-wide. Stateless; any
 * thread but an event loop (every call blocks up to {@link #TIMEOUT_MILLIS} per server).
 *
 * <p>The list keeps to parameters that change behaviour clients see and that every server of a
 * cluster should share; it leaves out what is per server (ports, paths, replication, persistence,
 * passwords, memory limits sized to a machine).
 */
public final class ServerConfig {

    /** How long one server may take to connect and answer. */
    public static final int TIMEOUT_MILLIS = 2000;

    /** The parameters {@code kvstore-admin config set} and a proxy's CONFIG SET accept. */
    public static final Set<String> ALLOWED = Set.copyOf(new TreeSet<>(List.of(
            "notify-keyspace-events",
            "busy-reply-threshold", "lua-time-limit",
            "slowlog-log-slower-than", "slowlog-max-len",
            "latency-tracking", "latency-monitor-threshold",
            "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time",
            "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries", "hash-max-ziplist-value",
            "list-max-listpack-size", "list-max-ziplist-size", "list-compress-depth",
            "set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value",
            "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries", "zset-max-ziplist-value",
            "stream-node-max-bytes", "stream-node-max-entries", "hll-sparse-max-bytes",
            "active-expire-effort", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush")));

    private ServerConfig() {
    }

    /** {@code param} in lower case; {@link IllegalArgumentException} naming the list when it may not be set cluster-wide. */
    public static String checkAllowed(String param) {
        String p = param.toLowerCase(Locale.ROOT);
        if (!ALLOWED.contains(p)) {
            throw new IllegalArgumentException("parameter '" + param + "' cannot be set cluster-wide; allowed: "
                    + String.join(", ", new TreeSet<>(ALLOWED)));
        }
        return p;
    }

    /**
     * Sets {@code param} on one server and returns the value it reports back (Redis normalises some:
     * {@code KEA} becomes {@code AKE}). A refusal is a {@link RespClient.RedisError}.
     */
    public static String set(HostPort server, BackendAuth auth, String param, String value) throws IOException {
        try (RespClient c = RespClient.connect(server, auth, TIMEOUT_MILLIS)) {
            c.call("CONFIG", "SET", param, value);
            return get(c, param);
        }
    }

    /** The values of {@code params} on one server; a parameter it does not know is left out. */
    public static Map<String, String> get(HostPort server, BackendAuth auth, Collection<String> params) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (RespClient c = RespClient.connect(server, auth, TIMEOUT_MILLIS)) {
            for (String p : params) {
                String v = get(c, p);
                if (v != null) {
                    out.put(p, v);
                }
            }
        }
        return out;
    }

    /**
     * Sets every parameter of {@code params} on each of {@code servers}, going on past a server that
     * fails; returns one line per failure ({@code host:port: why}), empty when all took them.
     */
    public static List<String> apply(Collection<HostPort> servers, BackendAuth auth, Map<String, String> params) {
        List<String> failures = new ArrayList<>();
        if (params.isEmpty()) {
            return failures;
        }
        for (HostPort s : servers) {
            try (RespClient c = RespClient.connect(s, auth, TIMEOUT_MILLIS)) {
                for (Map.Entry<String, String> e : params.entrySet()) {
                    c.call("CONFIG", "SET", e.getKey(), e.getValue());
                }
            } catch (IOException e) {
                failures.add(s + ": " + e.getMessage());
            }
        }
        return failures;
    }

    /** {@code CONFIG RESETSTAT} on each server; one line per failure. */
    public static List<String> resetStats(Collection<HostPort> servers, BackendAuth auth) {
        List<String> failures = new ArrayList<>();
        for (HostPort s : servers) {
            try (RespClient c = RespClient.connect(s, auth, TIMEOUT_MILLIS)) {
                c.call("CONFIG", "RESETSTAT");
            } catch (IOException e) {
                failures.add(s + ": " + e.getMessage());
            }
        }
        return failures;
    }

    private static String get(RespClient c, String param) throws IOException {
        Object reply = c.call("CONFIG", "GET", param);
        if (reply instanceof List<?> pairs && pairs.size() >= 2) {
            return String.valueOf(pairs.get(1));
        }
        return null;
    }
}
