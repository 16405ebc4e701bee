package io.kvstore.proxy.clients;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.Await;
import java.time.Duration;
import redis.clients.jedis.Jedis;

/** Looks at a shard directly, behind the proxy's back, for tests of this package. Stateless. */
final class ShardProbe {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ShardProbe() {
    }

    /**
     * Waits (at most 30 s, polling CLIENT LIST straight on the shard) until some connection of
     * shard {@code shard} is blocked in {@code command}; fails otherwise.
     */
    static void awaitBlockedOn(ProxyCluster cluster, int shard, String command) {
        try (Jedis direct = cluster.shard(shard).client()) {
            Await.until("a connection blocked in " + command + " on shard " + shard, TIMEOUT,
                    () -> blockedIn(direct, command));
        }
    }

    /** Waits (at most 30 s) until no connection of shard {@code shard} is blocked in {@code command}; fails otherwise. */
    static void awaitNoneBlockedOn(ProxyCluster cluster, int shard, String command) {
        try (Jedis direct = cluster.shard(shard).client()) {
            Await.until("no connection blocked in " + command + " on shard " + shard, TIMEOUT,
                    () -> !blockedIn(direct, command));
        }
    }

    /** Whether CLIENT LIST on the shard shows a connection blocked ({@code flags=b}) in {@code command}. */
    private static boolean blockedIn(Jedis direct, String command) {
        return direct.clientList().lines()
                .anyMatch(line -> line.contains(" cmd=" + command + " ") && line.contains(" flags=b "));
    }
}
