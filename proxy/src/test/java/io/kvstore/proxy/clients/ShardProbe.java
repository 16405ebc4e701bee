package io.kvstore.proxy.clients;

import io.kvstore.proxy.it.support.ProxyCluster;
import redis.clients.jedis.Jedis;

/** Looks at a shard directly, behind the proxy's back, for tests of this package. Stateless. */
final class ShardProbe {

    private ShardProbe() {
    }

    /**
     * Waits (at most 30 s, polling CLIENT LIST straight on the shard) until some connection of
     * shard {@code shard} is blocked in {@code command}; fails otherwise.
     */
    static void awaitBlockedOn(ProxyCluster cluster, int shard, String command) throws InterruptedException {
        try (Jedis direct = cluster.shard(shard).client()) {
            for (int i = 0; i < 600; i++) {
                for (String line : direct.clientList().split("\n")) {
                    if (line.contains(" cmd=" + command + " ") && line.contains(" flags=b ")) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no connection blocked in " + command + " on shard " + shard);
    }

    /** Waits (at most 30 s) until no connection of shard {@code shard} is blocked in {@code command}; fails otherwise. */
    static void awaitNoneBlockedOn(ProxyCluster cluster, int shard, String command) throws InterruptedException {
        try (Jedis direct = cluster.shard(shard).client()) {
            for (int i = 0; i < 600; i++) {
                boolean blocked = false;
                for (String line : direct.clientList().split("\n")) {
                    blocked |= line.contains(" cmd=" + command + " ") && line.contains(" flags=b ");
                }
                if (!blocked) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("a connection stays blocked in " + command + " on shard " + shard);
    }
}
