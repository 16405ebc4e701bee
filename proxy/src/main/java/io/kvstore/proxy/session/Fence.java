package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;

/**
 * Which requests the ZooKeeper fence stops. A fenced proxy (data-store cluster, ZooKeeper session
 * lost, or the proxy starting or stopping; see {@link io.kvstore.proxy.route.ClusterState#fence()})
 * may route by a stale slot map, so nothing that reads or writes stored data may reach a backend:
 * keyed commands of every kind, transactions (WATCH, each command queued after MULTI, and EXEC,
 * whose queue may have been built before the fence went up), scripts and functions (whatever their
 * declared keys: a script with no keys still reaches a group), blocking commands (also when
 * dispatched again after following their key), the keyspace walks (KEYS, SCAN, DBSIZE,
 * RANDOMKEY, FLUSHDB, FLUSHALL, PDEL) and function writes. Connection commands, INFO, COMMAND,
 * SCRIPT/FUNCTION inspection and Pub/Sub (no stored data; delivery is at most once anyway) pass.
 *
 * <p>The rule is checked when a request is dispatched and again when a request resumes after an
 * asynchronous step (a key moved for a migration), so a fence that goes up meanwhile still stops
 * it. Stateless.
 */
final class Fence {

    private Fence() {
    }

    /** Whether a request of {@code spec} is refused while the proxy is fenced. */
    static boolean stops(CommandSpec spec) {
        return switch (spec.kind()) {
            case SINGLE, SAME_GROUP, MOVABLE_KEYS, SPLIT_MGET, SPLIT_MSET, SPLIT_SUM, BLOCKING, KEYSPACE -> true;
            case TRANSACTION -> spec.name().equals("watch") || spec.name().equals("exec");
            case FAN_OUT -> spec.write() || spec.readOnly();
            default -> false;
        };
    }

    /** The error a fenced request gets: -TRYAGAIN, so clients retry (on another proxy). */
    static String error(String why) {
        return "TRYAGAIN " + why;
    }
}
