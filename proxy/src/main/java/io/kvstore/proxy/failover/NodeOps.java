package io.kvstore.proxy.failover;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.util.Map;

/**
 * What the failover controller does to redis-servers, one short-lived connection per call, each
 * bounded by a timeout. Immutable; any thread (the controller uses it from its own thread only).
 */
final class NodeOps {

    /**
     * A server's replication state.
     *
     * @param master   it is a master
     * @param masterOf for a replica: the master it follows
     * @param linkUp   for a replica: its link to that master is up
     * @param offset   for a master its {@code master_repl_offset}, for a replica the offset it has
     *                 processed ({@code slave_repl_offset}): comparable within one replication history
     */
    record Replication(HostPort address, boolean master, HostPort masterOf, boolean linkUp, long offset) {
    }

    private final BackendAuth auth;
    private final int timeoutMs;

    NodeOps(BackendAuth auth, int timeoutMs) {
        this.auth = auth == null ? BackendAuth.NONE : auth;
        this.timeoutMs = timeoutMs;
    }

    Replication replication(HostPort address) throws IOException {
        try (RespClient c = RespClient.connect(address, auth, timeoutMs)) {
            Map<String, String> info = c.info("replication");
            boolean master = "master".equals(info.get("role"));
            if (master) {
                return new Replication(address, true, null, false, parseLong(info.get("master_repl_offset")));
            }
            HostPort of = info.containsKey("master_host")
                    ? new HostPort(info.get("master_host"), Integer.parseInt(info.get("master_port"))) : null;
            return new Replication(address, false, of, "up".equals(info.get("master_link_status")),
                    parseLong(info.getOrDefault("slave_repl_offset", info.get("master_repl_offset"))));
        }
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code REPLICAOF NO ONE}: the server becomes a master, keeping its data. */
    void promote(HostPort address) throws IOException {
        call(address, "REPLICAOF", "NO", "ONE");
    }

    /** {@code REPLICAOF host port}: the server drops what it has and follows {@code master}. */
    void follow(HostPort address, HostPort master) throws IOException {
        call(address, "REPLICAOF", master.host(), Integer.toString(master.port()));
    }

    /** {@code FLUSHALL}: every key of every database goes (a cache master coming back holds stale data). */
    void flushAll(HostPort address) throws IOException {
        try (RespClient c = RespClient.connect(address, auth, Math.max(timeoutMs, 10_000))) {
            c.call("FLUSHALL");
        }
    }

    /** {@code CLIENT PAUSE ms WRITE}: clients' writes wait (reads go on) for at most {@code ms}. */
    void pauseWrites(HostPort address, long ms) throws IOException {
        call(address, "CLIENT", "PAUSE", Long.toString(ms), "WRITE");
    }

    void unpause(HostPort address) throws IOException {
        call(address, "CLIENT", "UNPAUSE");
    }

    private void call(HostPort address, String... words) throws IOException {
        try (RespClient c = RespClient.connect(address, auth, timeoutMs)) {
            c.call(words);
        }
    }
}
